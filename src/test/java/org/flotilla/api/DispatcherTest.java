package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flotilla.daemon.Node;
import org.flotilla.db.Expectation;
import org.flotilla.db.Journal;
import org.flotilla.db.Op;
import org.flotilla.db.ReplicatedLog;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The XenAPI dispatch in-process: derived messages, sessions, argument checks, tasks and events. */
class DispatcherTest {
    @TempDir Path dir;
    Node node;
    Rpc rpc;
    String session;

    @BeforeEach
    void start() {
        node = new Node(dir, Journal.NONE, (u, p) -> u.equals("root") && p.equals("secret"), HostFacts.read("127.0.0.1"),
                r -> "<value>" + r + "</value>");
        rpc = node.rpc();
        session = (String) call("session.login_with_password", "root", "secret");
    }

    @AfterEach
    void stop() { node.close(); }

    Object call(String method, Object... params) { return rpc.call(method, new ArrayList<>(Arrays.asList(params))); }

    ApiError fails(String method, Object... params) { return assertThrows(ApiError.class, () -> call(method, params)); }

    @Test
    void loginAndTheHostRecords() {
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"),
                fails("session.login_with_password", "root", "wrong").description());
        String host = (String) call("session.get_this_host", session, session);
        assertEquals(node.hostRef(), host);
        assertEquals(2L, call("host.get_API_version_major", session, host));
        @SuppressWarnings("unchecked")
        var pools = (Map<String, Map<String, Object>>) call("pool.get_all_records", session);
        assertEquals(1, pools.size());
        assertEquals(host, pools.values().iterator().next().get("master"));
        @SuppressWarnings("unchecked")
        var dom0 = (Map<String, Map<String, Object>>) call("VM.get_all_records_where", session, "field \"is_control_domain\"=\"true\"");
        assertEquals(1, dom0.size());
        assertEquals(host, dom0.values().iterator().next().get("resident_on"));
        @SuppressWarnings("unchecked")
        var resident = (List<String>) call("host.get_resident_VMs", session, host);
        assertEquals(List.copyOf(dom0.keySet()), resident);
    }

    @Test
    void getAllRecordsAsSentShowsEveryChangeMadeThroughTheApi() {
        String host = node.hostRef();
        @SuppressWarnings("unchecked")
        String dom0 = ((Map<String, ?>) call("VM.get_all_records_where", session, "field \"is_control_domain\"=\"true\"")).keySet().iterator().next();
        for (String step : List.of("renamed-1", "renamed-2", "renamed-3")) {
            assertFalse(sent("VM.get_all_records").contains(step), "not yet " + step); // and kept for the next call
            call("VM.set_name_label", session, dom0, step);
            assertTrue(sent("VM.get_all_records").contains(step));
            call("VM.add_to_other_config", session, dom0, "k-" + step, "v");
            assertTrue(sent("VM.get_all_records").contains("k-" + step));
            assertTrue(sent("VM.get_all_records_where", "field \"name_label\"=\"" + step + "\"").contains("k-" + step));
            call("host.set_name_description", session, host, "now " + step);
            assertTrue(sent("host.get_all_records").contains("now " + step));
        }
    }

    /** A call's result as both protocols send it, one after the other. */
    private String sent(String method, Object... params) {
        var args = new ArrayList<Object>(List.of(session));
        args.addAll(List.of(params));
        var result = org.flotilla.wire.RpcOutcome.success(rpc.call(method, args));
        return new String(org.flotilla.wire.JsonRpc.writeReply(org.flotilla.wire.JsonRpcVersion.V2, 1L, result), java.nio.charset.StandardCharsets.UTF_8)
                + new String(org.flotilla.wire.XmlRpc.writeReply(result), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void badCallsAreRefusedWithXapiErrors() {
        long generation = node.db().generation();
        assertEquals(List.of("MESSAGE_METHOD_UNKNOWN", "VM.fly"), fails("VM.fly", session).description());
        assertEquals(List.of("MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"), fails("VM.get_record", session).description());
        assertEquals(List.of("SESSION_INVALID", "OpaqueRef:nope"), fails("VM.get_all", "OpaqueRef:nope").description());
        assertEquals(List.of("HANDLE_INVALID", "VM", "OpaqueRef:nope"), fails("VM.get_record", session, "OpaqueRef:nope").description());
        assertEquals(List.of("UUID_INVALID", "VM", "nope"), fails("VM.get_by_uuid", session, "nope").description());
        String host = node.hostRef();
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Expected string, got '[S(x)]'\")"),
                fails("host.set_name_label", session, host, List.of("x")).description());
        assertEquals("MESSAGE_METHOD_UNKNOWN", fails("host.set_address_nope", session, host, "x").code());
        assertEquals("MESSAGE_METHOD_UNKNOWN", fails("VM.set_power_state", session, host, "Running").code());
        assertEquals("MESSAGE_METHOD_UNKNOWN", fails("Async.VM.get_record", session, host).code());
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Expected string, got '{not:S(a string)}'\")"),
                fails("host.add_to_other_config", session, host, "k", Map.of("not", "a string")).description());
        // XAPI's counts leave the session out; a message with defaulted parameters ignores extra ones
        assertEquals(List.of("MESSAGE_PARAMETER_COUNT_MISMATCH", "host.set_name_label", "2", "3"),
                fails("host.set_name_label", session, host, "a", "b").description());
        assertEquals(List.of("MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"),
                fails("session.login_with_password", "root").description());
        assertEquals(generation, node.db().generation(), "refused calls change nothing");
        call("session.logout", call("session.login_with_password", "root", "secret", "1.1", "test", "past the last"));
    }

    @Test
    void fieldsAndMaps() {
        String host = node.hostRef();
        call("host.set_name_label", session, host, "renamed");
        assertEquals("renamed", call("host.get_name_label", session, host));
        assertEquals(List.of(host), call("host.get_by_name_label", session, "renamed"));
        call("host.add_to_other_config", session, host, "k", "v");
        var dup = fails("host.add_to_other_config", session, host, "k", "w");
        assertEquals("MAP_DUPLICATE_KEY", dup.code());
        call("host.remove_from_other_config", session, host, "absent");
        call("host.remove_from_other_config", session, host, "k");
        assertFalse(((Map<?, ?>) call("host.get_other_config", session, host)).containsKey("k"));
        call("host.add_tags", session, host, "a");
        call("host.add_tags", session, host, "a");
        assertEquals(List.of("a"), call("host.get_tags", session, host));
        call("VM_set_name_description", session, call("host.get_control_domain", session, host), "old spelling");
    }

    @Test
    void eventsFromWakeOnChangeAndCoalesce() throws Exception {
        @SuppressWarnings("unchecked")
        var first = (Map<String, Object>) call("event.from", session, List.of("host"), "", 1.0);
        String token = (String) first.get("token");
        assertTrue(token.matches("\\d{20},\\d{20}"), token);
        assertFalse(((List<?>) first.get("events")).isEmpty());
        assertTrue(((Map<?, ?>) first.get("valid_ref_counts")).get("task") instanceof Integer);

        var waiter = new java.util.concurrent.CompletableFuture<Object>();
        Thread.ofVirtual().start(() -> waiter.complete(call("event.from", session, List.of("HOST"), token, 30.0)));
        Thread.sleep(100);
        assertFalse(waiter.isDone());
        long t0 = System.nanoTime();
        call("host.set_name_description", session, node.hostRef(), "d1");
        @SuppressWarnings("unchecked")
        var reply = (Map<String, Object>) waiter.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
        @SuppressWarnings("unchecked")
        var events = (List<Map<String, Object>>) reply.get("events");
        assertEquals(1, events.size());
        assertEquals("host", events.getFirst().get("class"));
        assertEquals("mod", events.getFirst().get("operation"));
        @SuppressWarnings("unchecked")
        var snap = (Map<String, Object>) events.getFirst().get("snapshot");
        assertEquals("d1", snap.get("name_description"));

        @SuppressWarnings("unchecked")
        var empty = (Map<String, Object>) call("event.from", session, List.of("vm"), reply.get("token"), 0.2);
        assertEquals(List.of(), empty.get("events"));

        String injected = (String) call("event.inject", session, "pool", node.poolRef());
        @SuppressWarnings("unchecked")
        var afterInject = (Map<String, Object>) call("event.from", session, List.of("pool"), injected, 1.0);
        assertEquals(1, ((List<?>) afterInject.get("events")).size());
        assertEquals("EVENT_FROM_TOKEN_PARSE_FAILURE", fails("event.from", session, List.of("*"), "garbage", 1.0).code());
    }

    @Test
    void tokensFromBeforeARestartStayBehind() throws Exception {
        @SuppressWarnings("unchecked")
        var reply = (Map<String, Object>) call("event.from", session, List.of("pool"), "", 0.0);
        String before = (String) reply.get("token");
        node.close();
        node = new Node(dir, Journal.NONE, (u, p) -> u.equals("root") && p.equals("secret"), HostFacts.read("127.0.0.1"),
                r -> "<value>" + r + "</value>");
        rpc = node.rpc();
        session = (String) call("session.login_with_password", "root", "secret");
        call("task.create", session, "after the restart", "");
        @SuppressWarnings("unchecked")
        var after = (Map<String, Object>) call("event.from", session, List.of("task"), before, 1.0);
        assertEquals(1, ((List<?>) after.get("events")).size(), "the new task is seen with the old token");
    }

    @Test
    void legacyEventsNextAndDeletes() {
        assertEquals("SESSION_NOT_REGISTERED", fails("event.next", session).code());
        call("event.register", session, List.of("task"));
        String task = (String) call("task.create", session, "t", "d");
        @SuppressWarnings("unchecked")
        var evs = (List<Map<String, Object>>) call("event.next", session);
        assertEquals("add", evs.getFirst().get("operation"));
        call("task.destroy", session, task);
        @SuppressWarnings("unchecked")
        var dels = (List<Map<String, Object>>) call("event.next", session);
        assertEquals("del", dels.getFirst().get("operation"));
        assertFalse(dels.getFirst().containsKey("snapshot"));
    }

    @Test
    void alertsAndPlugins() {
        String host = node.hostRef();
        String uuid = (String) call("host.get_uuid", session, host);
        String msg = (String) call("message.create", session, "VM_CRASHED", "2", "Host", uuid, "body");
        @SuppressWarnings("unchecked")
        var since = (Map<String, Map<String, Object>>) call("message.get_since", session, "19700101T00:00:00Z");
        assertEquals(2L, since.get(msg).get("priority"));
        assertEquals("[]", call("host.call_plugin", session, host, "updater.py", "check_update", Map.of()));
        assertEquals(List.of("XENAPI_MISSING_PLUGIN", "nope"), fails("host.call_plugin", session, host, "nope", "f", Map.of()).description());
    }

    @Test
    void asyncCallsRunUnderTasks() throws Exception {
        String task = (String) call("Async.task.cancel", session, call("task.create", session, "x", "y"));
        for (int i = 0; i < 100 && call("task.get_status", session, task).equals("pending"); i++) Thread.sleep(20);
        assertEquals("success", call("task.get_status", session, task));
        assertEquals(1.0, call("task.get_progress", session, task));
        call("session.logout", session);
        assertEquals("SESSION_INVALID", fails("pool.get_all", session).code());
    }

    /**
     * A member's copy that lags the pool's: the VM another member just made reaches this copy only when the copy
     * catches up. The call naming it catches up before its references are called invalid, or it fails HANDLE_INVALID.
     */
    @Test
    void aReferenceWrittenThroughAnotherMemberIsCheckedAfterTheCopyCaughtUp() {
        assertEquals(1, callNamingAVmThisCopyLearnsOnCatchUp(false));
    }

    /** A catch-up that timed out is made once more before a reference missing from the copy is called invalid. */
    @Test
    void aMissingReferenceAfterATimedOutCatchUpIsLookedForAgain() {
        assertEquals(2, callNamingAVmThisCopyLearnsOnCatchUp(true));
    }

    /**
     * A session reads its member's copy as it is: its calls cost no round trip to the coordinator. A login is brought
     * up to the pool's first, so that the new session sees everything committed before it.
     */
    @Test
    void onlyALoginCatchesTheCopyUpNotTheCallsOfASession() {
        int[] catchUps = laggingCopy(List.of(), false);
        String dom0 = (String) call("VM.get_by_uuid", session, dom0().get("uuid"));
        call("VM.get_name_label", session, dom0);
        assertEquals(0, catchUps[0]);
        String another = (String) call("session.login_with_password", "root", "secret");
        assertEquals(1, catchUps[0]);
        call("VM.get_name_label", another, dom0);
        assertEquals(1, catchUps[0]);
        assertEquals(List.of("HANDLE_INVALID", "VM", "OpaqueRef:nothing-anywhere"), fails("VM.get_name_label", another, "OpaqueRef:nothing-anywhere").description());
        assertEquals(2, catchUps[0], "a reference missing from a copy caught up at once is looked for once more, then invalid");
    }

    /** Calls VM.get_name_label for a VM the lagging copy gets on its (first, or second) catch-up; the catch-ups made. */
    private int callNamingAVmThisCopyLearnsOnCatchUp(boolean firstTimesOut) {
        var fields = new java.util.HashMap<>(dom0());
        fields.put("uuid", java.util.UUID.randomUUID().toString());
        fields.put("name_label", "made through another member");
        fields.put("is_control_domain", false);
        String late = "OpaqueRef:" + java.util.UUID.randomUUID();
        int[] catchUps = laggingCopy(List.of(new Op.Put("VM", late, fields)), firstTimesOut);
        assertEquals("made through another member", call("VM.get_name_label", session, late));
        return catchUps[0];
    }

    private Map<String, Object> dom0() {
        return node.db().durableState().objects().stream()
                .filter(p -> p.className().equals("VM") && Boolean.TRUE.equals(p.fields().get("is_control_domain")))
                .findFirst().orElseThrow().fields();
    }

    /**
     * Makes this node's database a member's copy that learns {@code late} on its first catch-up (its second, when
     * {@code firstTimesOut}); returns the count of catch-ups, as it goes.
     */
    private int[] laggingCopy(List<Op> late, boolean firstTimesOut) {
        var db = node.db();
        var pending = new ArrayList<List<Op>>(List.of(late));
        int[] catchUps = {0};
        db.replicateThrough(new ReplicatedLog() {
            @Override
            public void commit(org.flotilla.db.Transaction durable, List<Expectation> expected, List<Op> allOps) {
                if (!db.applyCommitted(expected, allOps)) throw new Expectation.Unmet(0);
            }

            @Override
            public boolean catchUp() {
                if (catchUps[0]++ == 0 && firstTimesOut) return false;
                pending.forEach(db::applyCommitted);
                pending.clear();
                return true;
            }
        }, false);
        return catchUps;
    }
}

package org.flotilla.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.db.Database;
import org.flotilla.db.Expectation;
import org.flotilla.db.Journal;
import org.flotilla.db.Op;
import org.flotilla.db.ReplicatedLog;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

/**
 * get_all_records sends each record as the codecs kept it from the last call, so a change must never be sent as the
 * encoding of the object before it: after every kind of write that reaches the database, what is sent is what the
 * records encode to afresh, in both protocols, and it shows the change.
 */
class KeptRecordEncodingsTest {
    private static final Ref<VM> VM1 = VM.CLASS.ref("OpaqueRef:vm-1");
    private static final Ref<VM> VM2 = VM.CLASS.ref("OpaqueRef:vm-2");
    private static final Ref<VBD> DISK = VBD.CLASS.ref("OpaqueRef:vbd-1");

    @Test
    void everyKindOfTransactionShowsInTheNextGetAllRecords() {
        var db = new Database(XenApi.model(), Journal.NONE);
        db.write(tx -> {
            tx.put(VM1, db.newRecord(VM.CLASS).set(VM.uuid, "uuid-1").set(VM.name_label, "first"));
            tx.put(VM2, db.newRecord(VM.CLASS).set(VM.uuid, "uuid-2").set(VM.name_label, "second"));
        });
        assertSentAsFresh(db, "first");

        db.write(tx -> tx.set(VM1, VM.name_label, "renamed"));
        assertSentAsFresh(db, "renamed");

        db.write(tx -> tx.put(VM2, db.newRecord(VM.CLASS).set(VM.uuid, "uuid-2").set(VM.name_label, "replaced")));
        assertSentAsFresh(db, "replaced");

        // a VBD changes the record of the VM it names: its derived VBDs set
        db.write(tx -> tx.put(DISK, db.newRecord(VBD.CLASS).set(VBD.uuid, "uuid-d").set(VBD.VM, VM1)));
        assertSentAsFresh(db, DISK.value());
        assertEquals(List.of(DISK.value()), db.records(VM.CLASS.name(), o -> true).get(VM1.value()).get(VM.VBDs.name()));

        db.write(tx -> tx.set(DISK, VBD.VM, VM2));
        assertSentAsFresh(db, DISK.value());
        assertEquals(List.of(), db.records(VM.CLASS.name(), o -> true).get(VM1.value()).get(VM.VBDs.name()));

        db.write(tx -> tx.delete(DISK));
        assertSentAsFresh(db, null);
        assertFalse(sentJson(db, VM.CLASS).contains(DISK.value()));

        // several changes to one object in one transaction, one generation
        db.write(tx -> {
            tx.set(VM1, VM.name_label, "once");
            tx.put(DISK, db.newRecord(VBD.CLASS).set(VBD.uuid, "uuid-d2").set(VBD.VM, VM1));
            tx.set(VM1, VM.name_label, "twice");
        });
        assertSentAsFresh(db, "twice");

        db.write(tx -> tx.delete(VM2));
        assertSentAsFresh(db, null);
        assertFalse(sentJson(db, VM.CLASS).contains("replaced"));
    }

    /** get_record and event.from's snapshots are the same kept records: encoded once per version, never a version late. */
    @Test
    void getRecordAndEventSnapshotsKeepTheirEncodingsAndShowEachChange() {
        var db = new Database(XenApi.model(), Journal.NONE);
        db.write(tx -> tx.put(VM1, db.newRecord(VM.CLASS).set(VM.uuid, "uuid-1").set(VM.name_label, "first")));
        for (String name : List.of("first", "second")) {
            if (!name.equals("first")) db.write(tx -> tx.set(VM1, VM.name_label, name));
            var record = db.record(VM.CLASS.name(), VM1.value());
            var snapshot = db.changesSince(0, VM.CLASS.name()::equals).changes().getFirst().snapshot();
            for (var kept : List.of(record, snapshot)) {
                assertTrue(kept instanceof org.flotilla.model.Memo.Holder, "a kept record");
                for (int twice = 0; twice < 2; twice++) {
                    assertArrayEquals(XmlRpc.writeReply(RpcOutcome.success(new LinkedHashMap<>(kept))), XmlRpc.writeReply(RpcOutcome.success(kept)));
                    assertArrayEquals(JsonRpc.writeReply(JsonRpcVersion.V2, 1L, RpcOutcome.success(new LinkedHashMap<>(kept))),
                            JsonRpc.writeReply(JsonRpcVersion.V2, 1L, RpcOutcome.success(kept)));
                }
                assertTrue(new String(XmlRpc.writeReply(RpcOutcome.success(kept)), UTF_8).contains("<value>" + name + "</value>"), name);
            }
        }
    }

    @Test
    void whatAPoolMemberAppliesShowsInTheNextGetAllRecords() {
        // a member's copy changes only by what the group's log commits, and by a snapshot when it fell behind
        var self = new AtomicReference<Database>();
        ReplicatedLog log = (durable, expected, allOps) -> self.get().applyCommitted(expected, allOps);
        var db = new Database(XenApi.model(), log);
        self.set(db);
        db.applyCommitted(List.of(new Op.Put(VM.CLASS.name(), VM1.value(), db.newRecord(VM.CLASS).set(VM.uuid, "uuid-1")
                .set(VM.name_label, "from the coordinator").values())));
        assertSentAsFresh(db, "from the coordinator");

        db.applyCommitted(List.of(new Op.Set(VM.CLASS.name(), VM1.value(), VM.name_label.name(), "committed later")));
        assertSentAsFresh(db, "committed later");

        assertTrue(db.applyCommitted(List.of(new Expectation(VM.CLASS.name(), VM1.value(), VM.name_label.name(), "committed later")),
                List.of(new Op.Set(VM.CLASS.name(), VM1.value(), VM.name_label.name(), "as expected"))));
        assertSentAsFresh(db, "as expected");

        db.replaceDurableState(List.of(new Op.Put(VM.CLASS.name(), VM1.value(), db.newRecord(VM.CLASS).set(VM.uuid, "uuid-1")
                .set(VM.name_label, "from a snapshot").values())));
        assertSentAsFresh(db, "from a snapshot");

        db.write(tx -> tx.set(VM1, VM.name_label, "written here"));
        assertSentAsFresh(db, "written here");
    }

    @Test
    void readersEncodingWhileAWriterChangesEveryRecordEndOnTheLastVersion() throws Exception {
        var db = new Database(XenApi.model(), Journal.NONE);
        var vms = new ArrayList<Ref<VM>>();
        for (int i = 0; i < 50; i++) vms.add(VM.CLASS.ref("OpaqueRef:vm-" + i));
        db.write(tx -> vms.forEach(vm -> tx.put(vm, db.newRecord(VM.CLASS).set(VM.name_label, "0"))));
        var readers = new ArrayList<Thread>();
        var failure = new AtomicReference<Throwable>();
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) {
                        JsonRpc.writeReply(JsonRpcVersion.V2, 1L, RpcOutcome.success(db.records(VM.CLASS.name(), o -> true)));
                        XmlRpc.writeReply(RpcOutcome.success(db.records(VM.CLASS.name(), o -> true)));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }));
        }
        for (int step = 1; step <= 200; step++) {
            String name = Integer.toString(step);
            db.write(tx -> vms.forEach(vm -> tx.set(vm, VM.name_label, name)));
        }
        done.set(true);
        for (Thread t : readers) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertSentAsFresh(db, "200");
    }

    /** What get_all_records of VMs and VBDs sends, in JSON-RPC 1.0 and 2.0 and in XML-RPC, twice: the second from what was kept. */
    private static void assertSentAsFresh(Database db, String shows) {
        for (ApiClass<?> cls : List.of(VM.CLASS, VBD.CLASS)) {
            for (int twice = 0; twice < 2; twice++) {
                var records = db.records(cls.name(), o -> true);
                var fresh = new LinkedHashMap<String, Object>();
                records.forEach((ref, record) -> fresh.put(ref, new LinkedHashMap<>(record)));
                for (var v : JsonRpcVersion.values()) {
                    assertArrayEquals(JsonRpc.writeReply(v, 1L, RpcOutcome.success(fresh)), JsonRpc.writeReply(v, 1L, RpcOutcome.success(records)));
                }
                assertArrayEquals(XmlRpc.writeReply(RpcOutcome.success(fresh)), XmlRpc.writeReply(RpcOutcome.success(records)));
                assertEquals(XmlRpc.writeValue(fresh), XmlRpc.writeValue(records));
            }
        }
        if (shows != null) {
            assertTrue(sentJson(db, VM.CLASS).contains("\"" + shows + "\""), "JSON-RPC shows " + shows);
            assertTrue(sentXml(db, VM.CLASS).contains("<value>" + shows + "</value>"), "XML-RPC shows " + shows);
        }
    }

    private static String sentJson(Database db, ApiClass<?> cls) {
        return new String(JsonRpc.writeReply(JsonRpcVersion.V2, 1L, RpcOutcome.success(db.records(cls.name(), o -> true))), UTF_8);
    }

    private static String sentXml(Database db, ApiClass<?> cls) {
        return new String(XmlRpc.writeReply(RpcOutcome.success(db.records(cls.name(), o -> true))), UTF_8);
    }
}

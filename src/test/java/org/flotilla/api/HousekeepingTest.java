package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.flotilla.daemon.Node;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XAPI's bounds on sessions and tasks, kept by the node's collection pass (every 100 ms here rather than 30 s), through
 * the XenAPI dispatch in process: sessions capped per originator and per user, the least recently used dropped first,
 * those with a task in progress kept; pending tasks dropped once they stop progressing, finished ones after their
 * timeout or, beyond the task limit, oldest first.
 */
class HousekeepingTest {
    @TempDir Path dir;
    Node node;

    void boot(ApiLimits limits) {
        node = new Node(dir, Journal.NONE, (u, p) -> true, HostFacts.read("127.0.0.1"), r -> "<value>" + r + "</value>",
                limits.withCollectionInterval(Duration.ofMillis(100)));
    }

    @AfterEach
    void stop() { if (node != null) node.close(); }

    Object call(String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    String login(String user, String originator) { return (String) call("session.login_with_password", user, "x", "1.1", originator); }

    List<String> logins(int n, String user, String originator) {
        var out = new ArrayList<String>();
        for (int i = 0; i < n; i++) out.add(login(user, originator));
        return out;
    }

    boolean live(String session) {
        try {
            call("pool.get_all", session);
            return true;
        } catch (ApiError e) {
            assertEquals("SESSION_INVALID", e.code());
            return false;
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void sessionsBeyondXapisLimitsEndLeastRecentlyUsedFirst() throws Exception {
        boot(ApiLimits.defaults());
        // passes run while the sessions are made: the one with a task gets it at once, the recent one is used throughout
        var script = new ArrayList<String>();
        for (int i = 0; i < 520; i++) {
            script.add(login("root", "leaky-script"));
            if (i == 0) call("task.create", script.getFirst(), "a long job", "");
            if (i >= 5 && i % 50 == 0) call("pool.get_all", script.get(5));
        }
        List<String> anonymous = logins(410, "root", "");
        List<String> alice = logins(505, "alice", "");
        await(() -> node.db().count("session") == 501 + 400 + 500, "the sessions beyond the limits to end");

        for (int i = 0; i < 520; i++) {
            boolean dropped = i >= 1 && i <= 20 && i != 5;
            assertEquals(!dropped, live(script.get(i)), "session " + i + " of the script");
        }
        for (int i = 0; i < 410; i++) assertEquals(i >= 10, live(anonymous.get(i)), "anonymous session " + i);
        for (int i = 0; i < 505; i++) assertEquals(i >= 5, live(alice.get(i)), "alice's session " + i);
    }

    @Test
    void unusedSessionsEndAfterTheInactiveTimeout() throws Exception {
        boot(ApiLimits.defaults().withSessions(new Sessions.Limits(Duration.ofMillis(400), 400, 500, 500)));
        String idle = login("root", "");
        String used = login("root", "");
        // an HTTP handler's request (a console, a download) uses its session as a call does
        String usedOverHttp = login("root", "");
        var http = new HttpCalls(node.tasks(), node.sessions());
        var request = TunnelRequest.ofTarget("/rrd_updates?session_id=" + usedOverHttp, null);
        long end = System.nanoTime() + Duration.ofMillis(1000).toNanos();
        while (System.nanoTime() < end) {
            assertTrue(live(used));
            assertEquals("served", http.run(request, task -> "served"));
            Thread.sleep(50);
        }
        assertTrue(live(used));
        assertTrue(live(usedOverHttp));
        assertEquals("SESSION_INVALID", assertThrows(ApiError.class, () -> call("pool.get_all", idle)).code());
        var refused = assertThrows(HttpRefusal.class, () -> http.run(TunnelRequest.ofTarget("/rrd_updates?session_id=" + idle, null), task -> "served"));
        assertEquals("SESSION_AUTHENTICATION_FAILED", refused.error().code());
    }

    @Test
    void pendingTasksGoOnceTheyStopProgressing() throws Exception {
        boot(ApiLimits.defaults().withTasks(new Tasks.Limits(Duration.ofHours(1), Duration.ofMillis(500), 200)));
        String session = login("root", "");
        var stuck = new ArrayList<String>();
        for (int i = 0; i < 300; i++) stuck.add((String) call("task.create", session, "stuck " + i, ""));
        String moving = (String) call("task.create", session, "moving", "");
        double progress = 0;
        long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < end) {
            progress += 0.001;
            call("task.set_progress", session, moving, progress);
            Thread.sleep(20);
        }
        await(() -> node.db().count("task") == 1, "the stuck tasks to go");
        assertEquals("pending", call("task.get_status", session, moving));
        assertEquals(List.of("HANDLE_INVALID", "task", stuck.getFirst()),
                assertThrows(ApiError.class, () -> call("task.get_status", session, stuck.getFirst())).description());
    }

    @Test
    void finishedTasksGoOldestFirstBeyondTheLimitAndAllAfterTheirTimeout() throws Exception {
        boot(ApiLimits.defaults().withTasks(new Tasks.Limits(Duration.ofSeconds(3), Duration.ofHours(1), 200)));
        String session = login("root", "");
        var pending = new ArrayList<String>();
        for (int i = 0; i < 150; i++) pending.add((String) call("task.create", session, "pending " + i, ""));
        var finished = new ArrayList<String>();
        for (int i = 0; i < 100; i++) {
            // a cancel of a task already finished fails at once: a finished task, in order
            String t = (String) call("Async.task.cancel", session, finished.isEmpty() ? pending.getFirst() : finished.getLast());
            await(() -> !"pending".equals(call("task.get_status", session, t)), "task " + t + " to finish");
            finished.add(t);
        }
        await(() -> node.db().count("task") == 200, "the oldest finished tasks to go");
        for (int i = 0; i < 100; i++) assertEquals(i >= 50, node.db().get("task", finished.get(i)) != null, "finished task " + i);
        for (String t : pending) assertTrue(node.db().get("task", t) != null, "pending tasks stay, however many");

        await(() -> node.db().count("task") == 150, "the finished tasks to time out");
        for (String t : pending) assertTrue(node.db().get("task", t) != null);
    }
}

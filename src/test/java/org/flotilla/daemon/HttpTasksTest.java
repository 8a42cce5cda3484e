package org.flotilla.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.Slow;
import org.flotilla.TestDomainIds;
import org.flotilla.api.HttpCalls;
import org.flotilla.host.HttpRequests;
import org.flotilla.runtime.TrustingTls;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP handlers of a real daemon over HTTPS under a task the client made with task.create and named by
 * {@code task_id}, as Xen Orchestra's client asks for /rrd_updates: the task ends in success once the reply is handed
 * over, and clients watching tasks through event.from see it end; a refused request fails the task with the
 * reason as XenAPI error; a task_id that names no task is answered with an error and nothing else; a long stream
 * reports progress, and its client breaking off fails the task. (The consoles: ConsoleTunnelTest.)
 */
@Slow
class HttpTasksTest {
    static final String PASSWORD = "http-tasks-test";
    static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir static Path dir;
    static Daemon daemon;
    static String session;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        TestDomainIds.seed(dir);
        daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1");
        daemon.node().metrics().setInterval(Duration.ofSeconds(1));
        session = (String) call("session.login_with_password", "root", PASSWORD);
        client = TrustingTls.httpClient();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) daemon.close();
        TestDomainIds.removeTaps(dir);
    }

    static Object call(String method, Object... params) { return daemon.node().rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    static String newTask() { return (String) call("task.create", session, "Xapi#getResource /rrd_updates", ""); }

    static Map<String, Object> task(String ref) { return daemon.node().db().record("task", ref); }

    static HttpResponse<String> get(String target) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.httpsPort() + target)).timeout(WAIT).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The task once it has left pending: a handler ends it at the latest just after its reply. */
    static Map<String, Object> ended(String ref) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ("pending".equals(task(ref).get("status"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("task " + ref + " still pending");
            Thread.sleep(20);
        }
        return task(ref);
    }

    static long fiveMinutesAgo() { return System.currentTimeMillis() / 1000 - 300; }

    @Test
    void rrdUpdatesEndTheirTaskInSuccessAndEventsTellIt() throws Exception {
        @SuppressWarnings("unchecked")
        String token = (String) ((Map<String, Object>) call("event.from", session, List.of("task"), "", 0.1)).get("token");
        String ref = newTask();
        Object notFinished = task(ref).get("finished");
        assertEquals("pending", task(ref).get("status"));

        var reply = get("/rrd_updates?session_id=" + session + "&cf=AVERAGE&host=true&interval=5&json=true&start=" + fiveMinutesAgo()
                + "&task_id=" + ref);
        assertEquals(200, reply.statusCode(), reply.body());
        assertTrue(new ObjectMapper().readTree(reply.body()).path("meta").has("legend"), reply.body());
        var t = ended(ref);
        assertEquals("success", t.get("status"));
        assertEquals(1.0, t.get("progress"));
        assertEquals(List.of(), t.get("error_info"));
        assertEquals("", t.get("result"), "no result, as from XAPI");
        assertEquals(List.of(), t.get("allowed_operations"));
        assertNotEquals(notFinished, t.get("finished"));

        @SuppressWarnings("unchecked")
        var events = (List<Map<String, Object>>) ((Map<String, Object>) call("event.from", session, List.of("task"), token, 1.0)).get("events");
        assertTrue(events.stream().anyMatch(e -> ref.equals(e.get("ref")) && "success".equals(((Map<?, ?>) e.get("snapshot")).get("status"))),
                "event.from shows the task's end: " + events);

        // the task named by a cookie, as XAPI reads it too; a whole RRD
        String cookieTask = newTask();
        var request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.httpsPort() + "/host_rrd?session_id=" + session))
                .header("Cookie", "task_id=" + cookieTask).timeout(WAIT).build();
        assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals("success", ended(cookieTask).get("status"));
    }

    @Test
    void refusalsFailTheTaskWithTheirReason() throws Exception {
        String noStart = newTask();
        assertEquals(400, get("/rrd_updates?session_id=" + session + "&host=true&task_id=" + noStart).statusCode());
        assertEquals("failure", ended(noStart).get("status"));
        assertEquals(List.of("INVALID_VALUE", "start", ""), task(noStart).get("error_info"));
        assertEquals(1.0, task(noStart).get("progress"));

        String badSession = newTask();
        assertEquals(401, get("/rrd_updates?session_id=OpaqueRef:bogus&start=0&task_id=" + badSession).statusCode());
        assertEquals("failure", ended(badSession).get("status"));
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED"), task(badSession).get("error_info"));

        String noSession = newTask();
        assertEquals(401, get("/vm_rrd?uuid=x&task_id=" + noSession).statusCode());
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED"), ended(noSession).get("error_info"));

        String noRrd = newTask();
        assertEquals(404, get("/vm_rrd?session_id=" + session + "&uuid=nonesuch&task_id=" + noRrd).statusCode());
        assertEquals(List.of("UUID_INVALID", "VM", "nonesuch"), ended(noRrd).get("error_info"));

        // a task that has ended stays as it ended, as XAPI ends pending tasks only
        assertEquals(200, get("/rrd_updates?session_id=" + session + "&host=true&start=" + fiveMinutesAgo() + "&task_id=" + noStart).statusCode());
        assertEquals("failure", task(noStart).get("status"));
        assertEquals(List.of("INVALID_VALUE", "start", ""), task(noStart).get("error_info"));

        // a task_id that names no task: XAPI's HANDLE_INVALID as an internal error, and the daemon serves on
        var noTask = get("/rrd_updates?session_id=" + session + "&start=0&task_id=OpaqueRef:nonesuch");
        assertEquals(500, noTask.statusCode());
        assertTrue(noTask.body().startsWith("HANDLE_INVALID task OpaqueRef:nonesuch"), noTask.body());
        assertEquals(200, get("/rrd_updates?session_id=" + session + "&host=true&start=" + fiveMinutesAgo()).statusCode());
    }

    /** A long stream under its task, as an export's: progress while it lasts, and the client breaking off fails the task. */
    @Test
    void aStreamReportsProgressAndItsClientBreakingOffFailsTheTask() throws Exception {
        var calls = new HttpCalls(daemon.node().tasks(), daemon.node().sessions());
        daemon.server().addHandler("/test_stream", new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return HttpRequests.underTask(calls, request, response, callback, (r, task) -> {
                    response.setStatus(200);
                    try (OutputStream out = Content.Sink.asOutputStream(response)) {
                        task.progress(0.5);
                        while (true) out.write(new byte[64 << 10]);
                    }
                });
            }
        });
        String ref = newTask();
        try (var socket = TrustingTls.context().getSocketFactory().createSocket("127.0.0.1", daemon.httpsPort())) {
            socket.getOutputStream().write(("GET /test_stream?session_id=" + session + "&task_id=" + ref + " HTTP/1.1\r\nHost: h\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(256 << 10, socket.getInputStream().readNBytes(256 << 10).length);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Double.valueOf(0.5).equals(task(ref).get("progress"))) {
                assertTrue(System.nanoTime() < deadline, "the progress reported reaches the task");
                Thread.sleep(20);
            }
            assertEquals("pending", task(ref).get("status"));
        }
        var t = ended(ref);
        assertEquals("failure", t.get("status"));
        assertEquals("INTERNAL_ERROR", ((List<?>) t.get("error_info")).getFirst(), "the exception the broken stream gave: " + t.get("error_info"));
        assertEquals(1.0, t.get("progress"));
    }
}

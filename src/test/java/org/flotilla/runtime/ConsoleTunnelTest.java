package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running VM's consoles through the API's HTTPS port, as real clients reach them: RFB from QEMU's VNC server
 * through HTTP CONNECT (XenCenter, Xen Orchestra) and through a WebSocket (the JDK's client standing in for noVNC),
 * the serial port through CONNECT; refusals without a valid session, for unknown consoles and halted VMs.
 */
@Slow
class ConsoleTunnelTest {
    static final Duration WAIT = Duration.ofSeconds(30 * LOADED);
    @TempDir Path dir;
    VmHost h;
    Daemon daemon;

    @BeforeEach
    void up() throws Exception {
        h = new VmHost(dir);
        h.closeNode();
        h.state = dir.resolve("daemon");
        daemon = Daemon.start(h.state, ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1");
        h.node = daemon.node();
        h.session = (String) h.node.rpc().call("session.login_with_password", new ArrayList<>(List.of("root", "secret")));
    }

    @AfterEach
    void down() {
        try {
            h.close(); // kills the QEMUs, whatever the test did
        } finally {
            daemon.close();
        }
    }

    @Test
    void rfbAndSerialConsolesOverConnectAndWebSocket() throws Exception {
        String vm = h.newVm("console", "idle");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, WAIT);

        // two consoles, located as XAPI locates them
        Map<String, String> targets = new java.util.HashMap<>();
        for (Object c : (List<?>) h.vm(vm).get("consoles")) {
            var console = h.node.db().record("console", (String) c);
            String location = (String) console.get("location");
            // on the API's port, which is not 443 here
            assertTrue(location.matches("https://127\\.0\\.0\\.1:\\d+/console\\?uuid=[-0-9a-f]{36}"), location);
            URI at = URI.create(location);
            targets.put((String) console.get("protocol"), at.getRawPath() + "?" + at.getRawQuery());
        }
        assertEquals(java.util.Set.of("rfb", "vt100"), targets.keySet());
        String rfb = targets.get("rfb");
        String vt100 = targets.get("vt100");
        String vmUuid = (String) h.vm(vm).get("uuid");

        // refused: no session, a session that does not exist, a console that does not exist
        assertEquals("HTTP/1.1 401 Unauthorized", connect(rfb, null).status());
        assertEquals("HTTP/1.1 401 Unauthorized", connect(rfb + "&session_id=OpaqueRef:nobody", null).status());
        assertEquals("HTTP/1.1 404 Not Found", connect("/console?uuid=00000000-0000-0000-0000-000000000000&session_id=" + h.session, null).status());
        h.call("VM.pause", vm);
        assertEquals("HTTP/1.1 404 Not Found", connect(rfb + "&session_id=" + h.session, null).status(), "a paused VM's console, as XAPI");
        h.call("VM.unpause", vm);
        var refusedWs = assertThrows(CompletionException.class, () -> webSocket(rfb + "&session_id=OpaqueRef:nobody", new WebSocketStreams(WAIT)).join());
        assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, refusedWs.getCause()).getResponse().statusCode());

        // RFB through CONNECT, the session in the query
        try (var tunnel = connect(rfb + "&session_id=" + h.session, null)) {
            assertEquals("HTTP/1.1 200 OK", tunnel.status());
            var client = new RfbClient(tunnel.socket().getInputStream(), tunnel.socket().getOutputStream());
            var init = client.handshake();
            assertTrue(init.width() > 0 && init.height() > 0, init.toString());
            var rect = client.wholeScreen(init);
            assertTrue(rect.width() > 0 && rect.height() > 0, rect.toString());
        }
        // a VM's uuid means its rfb console; the session may come as a cookie
        try (var tunnel = connect("/console?uuid=" + vmUuid, h.session)) {
            assertEquals("HTTP/1.1 200 OK", tunnel.status());
            var init = new RfbClient(tunnel.socket().getInputStream(), tunnel.socket().getOutputStream()).handshake();
            assertTrue(init.width() > 0, init.toString());
        }

        // RFB over a WebSocket with subprotocol binary
        var ws = new WebSocketStreams(WAIT);
        var socket = webSocket(rfb + "&session_id=" + h.session, ws).join();
        assertEquals("binary", socket.getSubprotocol());
        var client = new RfbClient(ws.in, ws.out);
        var init = client.handshake();
        assertTrue(init.width() > 0 && init.height() > 0, init.toString());
        assertTrue(client.wholeScreen(init).width() > 0);

        // the serial port through CONNECT: what the guest prints arrives, and the tunnel ends with the VM,
        // as does the WebSocket still open
        try (var serial = connect(vt100 + "&session_id=" + h.session, null)) {
            assertEquals("HTTP/1.1 200 OK", serial.status());
            h.call("VM.clean_shutdown", vm);
            String text = new String(readToEnd(serial.socket().getInputStream()), StandardCharsets.UTF_8);
            assertTrue(text.contains("FLOTILLA-GUEST power button: powering off"), text);
        }
        assertTrue(ws.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS) > 0, "the WebSocket was closed");
        assertEquals("Halted", h.power(vm));

        // a halted VM has no consoles left to reach
        assertEquals("HTTP/1.1 404 Not Found", connect(rfb + "&session_id=" + h.session, null).status());
        assertEquals("HTTP/1.1 404 Not Found", connect("/console?uuid=" + vmUuid + "&session_id=" + h.session, null).status());
        var refusedHalted = assertThrows(CompletionException.class, () -> webSocket("/console?uuid=" + vmUuid + "&session_id=" + h.session,
                new WebSocketStreams(WAIT)).join());
        assertEquals(404, assertInstanceOf(WebSocketHandshakeException.class, refusedHalted.getCause()).getResponse().statusCode());
    }

    /** xe console: on the host, the daemon follows the console and streams it through its socket; from elsewhere, xe follows it itself. */
    @Test
    void xeConsoleStreamsOnTheHostAndFromElsewhere() throws Exception {
        String vm = h.newVm("xe-console", "idle");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, WAIT);
        String uuid = (String) h.vm(vm).get("uuid");
        var onHost = xeConsole(List.of("console", "uuid=" + uuid));
        var remote = xeConsole(List.of("-s", "127.0.0.1", "-p", String.valueOf(daemon.httpsPort()), "-u", "root", "-pw", "secret", "console", "uuid=" + uuid));
        for (var run : List.of(onHost, remote)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!run.out().toString(StandardCharsets.UTF_8).contains("FLOTILLA-GUEST up") && System.nanoTime() < deadline) Thread.sleep(100);
            assertTrue(run.out().toString(StandardCharsets.UTF_8).contains("FLOTILLA-GUEST up"),
                    () -> run.args() + " printed [" + run.out().toString(StandardCharsets.UTF_8) + "], [" + run.err().toString(StandardCharsets.UTF_8) + "]" + run.code());
        }
        h.call("VM.hard_shutdown", vm);
        for (var run : List.of(onHost, remote)) {
            assertEquals(0, (int) run.code().get(WAIT.toSeconds(), TimeUnit.SECONDS), () -> run.err().toString(StandardCharsets.UTF_8));
        }
    }

    private record XeRun(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err, java.util.concurrent.CompletableFuture<Integer> code) {}

    private XeRun xeConsole(List<String> args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var code = new java.util.concurrent.CompletableFuture<Integer>();
        // a thread of its own: each run blocks until the VM stops
        Thread.ofVirtual().start(() -> code.complete(org.flotilla.cli.XeClient.run(args, Map.of("FLOTILLA_STATE", h.state.toString()), null,
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8))));
        return new XeRun(args, out, err, code);
    }

    /**
     * A console reached under a task the client made with task.create and named by {@code task_id}, as Xen
     * Orchestra's client reaches it: the task is pending while the console is connected and ends in success when the
     * client closes it, as XAPI's proxy ends; a refused request fails the task with the reason.
     */
    @Test
    void aConsoleRunsUnderTheTaskItsClientNames() throws Exception {
        String vm = h.newVm("tasked console", "idle");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, WAIT);
        String vmUuid = (String) h.vm(vm).get("uuid");
        String rfb = "/console?uuid=" + vmUuid + "&session_id=" + h.session;

        String overConnect = newTask();
        try (var tunnel = connect(rfb + "&task_id=" + overConnect, null)) {
            assertEquals("HTTP/1.1 200 OK", tunnel.status());
            assertTrue(new RfbClient(tunnel.socket().getInputStream(), tunnel.socket().getOutputStream()).handshake().width() > 0);
            assertEquals("pending", task(overConnect).get("status"), "pending while connected");
        }
        assertEquals("success", ended(overConnect).get("status"));
        assertEquals(1.0, task(overConnect).get("progress"));
        assertEquals(List.of(), task(overConnect).get("error_info"));

        String overWebSocket = newTask();
        var ws = new WebSocketStreams(WAIT);
        var socket = webSocket(rfb + "&task_id=" + overWebSocket, ws).join();
        assertTrue(new RfbClient(ws.in, ws.out).handshake().width() > 0);
        assertEquals("pending", task(overWebSocket).get("status"), "pending while connected");
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
        assertEquals("success", ended(overWebSocket).get("status"));

        String badSession = newTask();
        assertEquals("HTTP/1.1 401 Unauthorized", connect("/console?uuid=" + vmUuid + "&session_id=OpaqueRef:nobody&task_id=" + badSession, null).status());
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED"), ended(badSession).get("error_info"));
        String noConsole = newTask();
        String nobody = "00000000-0000-0000-0000-000000000000";
        assertEquals("HTTP/1.1 404 Not Found", connect("/console?uuid=" + nobody + "&session_id=" + h.session + "&task_id=" + noConsole, null).status());
        assertEquals(List.of("UUID_INVALID", "console", nobody), ended(noConsole).get("error_info"));
        String paused = newTask();
        h.call("VM.pause", vm);
        assertEquals("HTTP/1.1 404 Not Found", connect(rfb + "&task_id=" + paused, null).status());
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "running", "paused"), ended(paused).get("error_info"));
        h.call("VM.unpause", vm);
        var noTask = connect(rfb + "&task_id=OpaqueRef:nonesuch", null);
        assertTrue(noTask.status().startsWith("HTTP/1.1 500 "), "XAPI's HANDLE_INVALID for a task that does not exist: " + noTask.status());
        noTask.close();

        // the serial console as text: the task ends once what the guest printed is sent
        String vt100 = ((List<?>) h.vm(vm).get("consoles")).stream().map(c -> h.node.db().record("console", (String) c))
                .filter(c -> "vt100".equals(c.get("protocol"))).map(c -> (String) c.get("uuid")).findFirst().orElseThrow();
        String overGet = newTask();
        var text = TrustingTls.httpClient().send(java.net.http.HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.httpsPort()
                + "/console?uuid=" + vt100 + "&session_id=" + h.session + "&task_id=" + overGet)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(text.body().contains("FLOTILLA-GUEST up"), text.body());
        assertEquals("success", ended(overGet).get("status"));
    }

    String newTask() { return (String) h.call("task.create", "console", ""); }

    Map<String, Object> task(String ref) { return h.node.db().record("task", ref); }

    Map<String, Object> ended(String ref) throws InterruptedException {
        VmHost.await(() -> !"pending".equals(task(ref).get("status")), WAIT, "the end of task " + ref);
        return task(ref);
    }

    ConnectTunnel connect(String target, String sessionCookie) throws Exception {
        return ConnectTunnel.open(daemon.httpsPort(), target, sessionCookie, WAIT);
    }

    java.util.concurrent.CompletableFuture<java.net.http.WebSocket> webSocket(String target, WebSocketStreams listener) throws Exception {
        HttpClient client = TrustingTls.httpClient();
        return client.newWebSocketBuilder().subprotocols("binary").connectTimeout(WAIT)
                .buildAsync(URI.create("wss://127.0.0.1:" + daemon.httpsPort() + target), listener);
    }

    static byte[] readToEnd(InputStream in) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
        return out.toByteArray();
    }
}

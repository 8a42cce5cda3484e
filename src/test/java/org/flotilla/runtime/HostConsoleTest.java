package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.TestDomainIds;
import org.flotilla.api.Refs;
import org.flotilla.cli.XeClient;
import org.flotilla.daemon.Daemon;
import org.flotilla.db.Database;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Role;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Subject;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control domain's console, as XAPI has dom0's: one vt100 console, located by ref on the API's port, that leads to
 * a login on the host through HTTP CONNECT or a WebSocket, for pool-admin sessions alone; one login program per
 * connection, a few at once, all of it gone when the connection ends or the daemon stops.
 */
@Slow
class HostConsoleTest {
    static final Duration WAIT = Duration.ofSeconds(20 * LOADED);
    @TempDir Path dir;
    Daemon daemon;
    String session;
    String console;

    @BeforeEach
    void up() {
        TestDomainIds.seed(dir);
        daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1");
        session = (String) call("session.login_with_password", "root", "secret");
        String host = (String) ((List<?>) call("host.get_all", session)).getFirst();
        String dom0 = (String) call("host.get_control_domain", session, host);
        List<?> consoles = (List<?>) call("VM.get_consoles", session, dom0);
        assertEquals(1, consoles.size(), "one console: " + consoles);
        console = (String) consoles.getFirst();
    }

    @AfterEach
    void down() throws Exception {
        daemon.close();
        awaitNoLogins();
    }

    Object call(String method, Object... params) { return daemon.node().rpc().call(method, new ArrayList<>(List.of(params))); }

    @Test
    void theControlDomainHasAVt100ConsoleLocatedAsXapiLocatesIt() {
        @SuppressWarnings("unchecked")
        var record = (Map<String, Object>) call("console.get_record", session, console);
        assertEquals("vt100", record.get("protocol"));
        assertEquals("https://127.0.0.1:" + daemon.httpsPort() + "/console?ref=" + console, record.get("location"));
    }

    @Test
    void aPoolAdminGetsALoginThatAsksForTheHostsCredentialsAndEndsWithTheConnection() throws Exception {
        try (var tunnel = connect(target(session))) {
            assertEquals("HTTP/1.1 200 OK", tunnel.status());
            readUntil(tunnel, "login: ");
            assertEquals(1, logins().stream().filter(p -> p.info().command().orElse("").endsWith("/login")).count(), "one login program");
            type(tunnel, "flotilla-no-such-user\r");
            readUntil(tunnel, "Password: ");
            type(tunnel, "not the password\r");
            String after = readUntil(tunnel, "Login incorrect");
            assertTrue(!after.contains("not the password"), "the password is not echoed: " + after);
        }
        awaitNoLogins();
    }

    /**
     * {@code xe console} on the control domain is the login, joined to xe's terminal both ways (as XAPI's xe joins it):
     * on the host through the daemon's socket, and from elsewhere over HTTPS; Ctrl-] leaves it and xe exits 0.
     */
    @Test
    void xeConsoleOnTheControlDomainIsTheLoginOnTheHostAndFromElsewhere() throws Exception {
        String dom0 = (String) call("VM.get_uuid", session, call("console.get_VM", session, console));
        var onHost = List.of("console", "uuid=" + dom0);
        var fromElsewhere = List.of("-s", "127.0.0.1", "-p", Integer.toString(daemon.httpsPort()), "-u", "root", "-pw", "secret", "console", "uuid=" + dom0);
        for (List<String> args : List.of(onHost, fromElsewhere)) {
            var keys = new PipedOutputStream();
            var typed = new PipedInputStream(keys);
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            var code = new CompletableFuture<Integer>();
            Thread.ofVirtual().start(() -> code.complete(XeClient.run(args, Map.of("FLOTILLA_STATE", dir.toString()), null, typed,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))));
            VmHost.await(() -> out.toString(StandardCharsets.UTF_8).contains("login: "), WAIT, args + ": a login prompt, not " + out + err);
            keys.write("flotilla-no-such-user\r".getBytes(StandardCharsets.UTF_8));
            VmHost.await(() -> out.toString(StandardCharsets.UTF_8).contains("Password: "), WAIT, args + ": the keys reach the login: " + out);
            keys.write(0x1d);  // Ctrl-]
            keys.flush();
            assertEquals(0, (int) code.get(WAIT.toSeconds(), TimeUnit.SECONDS), args + ": " + err);
            awaitNoLogins();
        }
    }

    @Test
    void overAWebSocketToo() throws Exception {
        var ws = new WebSocketStreams(WAIT);
        var socket = TrustingTls.httpClient().newWebSocketBuilder().subprotocols("binary").connectTimeout(WAIT)
                .buildAsync(URI.create("wss://127.0.0.1:" + daemon.httpsPort() + target(session)), ws).join();
        assertTrue(read(ws.in, "login: ").contains("login: "));
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
        awaitNoLogins();
    }

    @Test
    void sessionsOfOtherRolesAreRefusedAsXapiRefusesThem() throws Exception {
        String reader = sessionWithRole("read-only");
        String task = (String) call("task.create", session, "host console", "");
        try (var tunnel = connect(target(reader) + "&task_id=" + task)) {
            assertEquals("HTTP/1.1 403 Forbidden", tunnel.status());
        }
        VmHost.await(() -> !"pending".equals(daemon.node().db().record("task", task).get("status")), WAIT, "the task's end");
        assertEquals(List.of("RBAC_PERMISSION_DENIED", "http/connect_console/host_console",
                "No permission in user session. (Roles with this permission: pool-admin)"),
                daemon.node().db().record("task", task).get("error_info"));
        try (var tunnel = connect(target(sessionWithRole("pool-operator")))) {
            assertEquals("HTTP/1.1 403 Forbidden", tunnel.status());
        }
        try (var tunnel = connect(target("OpaqueRef:nobody"))) {
            assertEquals("HTTP/1.1 401 Unauthorized", tunnel.status());
        }
        assertEquals(List.of(), logins(), "no login started for a refused session");
        try (var tunnel = connect(target(sessionWithRole("pool-admin")))) {
            assertEquals("HTTP/1.1 200 OK", tunnel.status());
            readUntil(tunnel, "login: ");
        }
    }

    @Test
    void aFewLoginsAtOnceAndNoPlainTextStream() throws Exception {
        var open = new ArrayList<ConnectTunnel>();
        try {
            for (int i = 0; i < 4; i++) {
                var tunnel = connect(target(session));
                open.add(tunnel);
                assertEquals("HTTP/1.1 200 OK", tunnel.status());
                readUntil(tunnel, "login: ");
            }
            try (var fifth = connect(target(session))) {
                assertEquals("HTTP/1.1 503 Service Unavailable", fifth.status());
            }
            open.removeFirst().close();
            VmHost.await(() -> connectionServed(), WAIT, "a free place once a login ended");
        } finally {
            for (var t : open) t.close();
        }
        var text = TrustingTls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.httpsPort() + target(session))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, text.statusCode(), "a login is no text to download");
        awaitNoLogins();
    }

    @Test
    void stoppingTheDaemonEndsItsLogins() throws Exception {
        var tunnel = connect(target(session));
        readUntil(tunnel, "login: ");
        daemon.close();
        assertEquals(List.of(), logins(), "gone once the daemon has stopped");
        tunnel.close();
    }

    private boolean connectionServed() {
        try (var t = connect(target(session))) {
            if (!t.status().equals("HTTP/1.1 200 OK")) return false;
            readUntil(t, "login: ");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    String target(String sessionId) { return "/console?ref=" + console + "&session_id=" + sessionId; }

    /** A session of a user whose subject has {@code role}, as an external directory's user would have. */
    String sessionWithRole(String role) {
        Database db = daemon.node().db();
        Ref<Role> roleRef = Refs.newRef(Role.CLASS);
        Ref<Subject> subject = Refs.newRef(Subject.CLASS);
        Ref<Session> ref = Refs.newRef(Session.CLASS);
        db.write(tx -> {
            tx.put(roleRef, db.newRecord(Role.CLASS).set(Role.uuid, Refs.newUuid()).set(Role.name_label, role));
            tx.put(subject, db.newRecord(Subject.CLASS).set(Subject.uuid, Refs.newUuid()).set(Subject.subject_identifier, "S-1-" + role)
                    .set(Subject.roles, List.of(roleRef)));
            tx.put(ref, db.newRecord(Session.CLASS).set(Session.uuid, Refs.newUuid()).set(Session.is_local_superuser, false)
                    .set(Session.subject, subject).set(Session.auth_user_name, role + "-user"));
        });
        return ref.value();
    }

    /** The login programs (and the script that gives each its terminal) this JVM's daemons started. */
    static List<ProcessHandle> logins() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/login") || c.endsWith("/script")).orElse(false)).toList();
    }

    static void awaitNoLogins() throws InterruptedException {
        VmHost.await(() -> logins().isEmpty(), Duration.ofSeconds(10), "no login left: " + logins());
    }

    /** Reads until {@code wanted} has arrived, and returns all that did; fails at the end of the stream or after WAIT. */
    static String read(InputStream in, String wanted) throws IOException {
        var got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] buf = new byte[1024];
        while (!got.toString(StandardCharsets.UTF_8).contains(wanted)) {
            if (System.nanoTime() > deadline) throw new SocketTimeoutException("no " + wanted + " in " + got.toString(StandardCharsets.UTF_8));
            int n = in.read(buf);
            if (n < 0) throw new IOException("the stream ended before " + wanted + ": " + got.toString(StandardCharsets.UTF_8));
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    ConnectTunnel connect(String target) throws Exception { return ConnectTunnel.open(daemon.httpsPort(), target, null, WAIT); }

    static void type(ConnectTunnel tunnel, String keys) throws IOException { tunnel.socket().getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8)); }

    static String readUntil(ConnectTunnel tunnel, String wanted) throws IOException { return read(tunnel.socket().getInputStream(), wanted); }
}

package org.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.Session;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xe as a thin client against a real daemon: the host runs each command ({@code /cli} over HTTPS, or its Unix socket
 * when no server is named) and the client prints exactly what xe run here in full prints, with the same exit code.
 */
class XeClientTest {
    @TempDir Path dir;
    Daemon daemon;
    Path state;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void start() {
        state = dir.resolve("state");
        daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1");
    }

    @AfterEach
    void stop() { daemon.close(); }

    private List<String> remote(String... words) {
        List<String> args = new ArrayList<>(List.of("-s", "127.0.0.1", "-p", String.valueOf(daemon.httpsPort()), "-u", "root", "-pw", "secret"));
        args.addAll(List.of(words));
        return args;
    }

    private Result thin(List<String> args, Map<String, String> env) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = XeClient.run(args, env, null, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result whole(List<String> args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = new Xe(HostConnector.XML_RPC, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args, Map.of(), null);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private long sessions() { return daemon.node().db().all(Session.CLASS).size(); }

    @Test
    void theHostPrintsWhatXeInFullPrints() {
        String host = whole(remote("host-list", "--minimal")).out().strip();
        List<List<String>> commands = List.of(
                List.of("host-list"), List.of("host-list", "params=all"), List.of("vm-list", "params=all"), List.of("sr-list", "params=all"),
                List.of("pool-list", "--minimal"), List.of("template-list", "params=name-label"), List.of("host-param-get", "uuid=" + host, "param-name=cpu_info"),
                List.of("help"), List.of("help", "vm-start"),
                List.of("no-such-command"), List.of("vm-start"), List.of("vm-param-get", "uuid=00000000-0000-0000-0000-000000000000", "param-name=name-label"),
                List.of("vm-list", "name-label=nothing-has-this-name"));
        for (List<String> c : commands) {
            Result full = whole(remote(c.toArray(String[]::new)));
            Result thin = thin(remote(c.toArray(String[]::new)), Map.of());
            assertEquals(full, thin, "xe " + String.join(" ", c));
        }
        // and a change made through it is made
        Result set = thin(remote("host-param-set", "uuid=" + host, "name-description=set by the thin client"), Map.of());
        assertEquals(new Result(0, "", ""), set);
        assertEquals("set by the thin client\n", whole(remote("host-param-get", "uuid=" + host, "param-name=name-description")).out());
    }

    @Test
    void aWrongPasswordIsRefusedAsXeRefusesIt() {
        List<String> args = new ArrayList<>(remote("host-list"));
        args.set(args.indexOf("secret"), "wrong");
        Result thin = thin(args, Map.of());
        assertEquals(whole(args), thin);
        assertEquals(1, thin.code());
        assertTrue(thin.err().contains("Authentication failed"), thin.err());
    }

    @Test
    void onThisHostXeUsesTheDaemonsSocketWithoutAPasswordAndEndsItsSession() throws IOException {
        Path socket = state.resolve("xe.sock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        long before = sessions();
        // no server named: the socket of the daemon whose state FLOTILLA_STATE names, whatever the password says
        Result local = thin(List.of("-pw", "not-the-password", "host-list", "params=uuid,name-label"), Map.of("FLOTILLA_STATE", state.toString()));
        assertEquals(whole(remote("host-list", "params=uuid,name-label")), local);
        assertEquals(before, sessions(), "the command's session ends with it");
        // a server named: over HTTPS, with the password
        List<String> named = remote("host-list");
        named.set(named.indexOf("secret"), "not-the-password");
        assertEquals(1, thin(named, Map.of("FLOTILLA_STATE", state.toString())).code());
    }

    @Test
    void withNoDaemonOnThisHostXeSaysItCannotReachOne() {
        daemon.close();
        Result r = thin(List.of("-p", "1", "host-list"), Map.of("FLOTILLA_STATE", state.toString()));
        assertEquals(new Result(1, "", Xe.UNREACHABLE + "\n"), r);
        assertFalse(Files.exists(state.resolve("xe.sock")), "a stopped daemon removes its socket");
        daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1");
    }

    @Test
    void aWordXeCannotCarryIsSaidSo() {
        Result r = thin(remote("vm-list", "name-label=a\0b"), Map.of());
        assertEquals(new Result(1, "", "Error: a command-line word cannot hold a NUL character\n"), r);
    }

    @Test
    void aCommandThatNeedsThisTerminalRunsHere() throws IOException {
        var reply = new ByteArrayOutputStream();
        CliWire.writeFrame(reply, CliWire.ON_CLIENT, new byte[0]);
        var out = new PrintStream(new ByteArrayOutputStream());
        assertEquals(7, XeClient.copyReply(new ByteArrayInputStream(reply.toByteArray()), out, out, handOver -> 7, null));
    }

    @Test
    void aMalformedCommandLineIsRefused() {
        assertEquals(null, CliWire.Request.decode("root\0secret\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, CliWire.Request.decode("root\0secret\0yes\0host-list\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, CliWire.Request.decode("root\0secret\0001\0host-list\0".getBytes(StandardCharsets.UTF_8)), "no terminal flag");
        assertEquals(null, CliWire.Request.decode("root\0secret\0001\0000\0host-list".getBytes(StandardCharsets.UTF_8)));
        var request = CliWire.Request.decode("root\0secret\0001\0000\0host-list\0\0".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("host-list", ""), request.words());
        assertEquals(new CliWire.Request("root", "secret", true, false, List.of("host-list", "")), request);
    }
}

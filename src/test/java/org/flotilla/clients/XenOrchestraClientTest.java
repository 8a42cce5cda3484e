package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Xen Orchestra's own xen-api client (npm, pinned in clients/xo) connects as Xen Orchestra does: login,
 * pool.get_all_records, system.listMethods, event.inject + event.from filling its object cache; then it
 * sets a field and waits for the event, runs an Async call through a task, and reads /rrd_updates under a task of
 * its own as xo-server's stats do.
 */
@Slow
class XenOrchestraClientTest {
    static final Path CLIENT = Path.of("clients/xo");
    static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isDirectory(CLIENT.resolve("node_modules/xen-api"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        }
        daemon = new TestDaemon();
    }

    @AfterAll
    static void stop() throws Exception { daemon.close(); }

    @ParameterizedTest
    @ValueSource(strings = {"json-rpc", "xml-rpc"})
    void connectsWatchesAndDrivesAVm(String transport) throws Exception {
        String vm = daemon.installTestGuest("xo " + transport);
        String out = run(List.of("node", "xo-client-test.mjs", daemon.url(), "root", TestDaemon.PASSWORD, transport, vm), 120);
        assertTrue(out.contains("XO-CLIENT OK"), out);
        assertTrue(out.contains("ok - field change arrives as an event"), out);
        assertTrue(out.contains("ok - getResource /rrd_updates: its task ended in success"), out);
        assertTrue(out.contains("ok - getResource /rrd_updates: the client destroyed its task"), out);
        assertTrue(out.contains("ok - VM.clean_shutdown: Halted arrives as an event"), out);
        assertEquals("Halted", daemon.rpc("VM.get_power_state", daemon.rpc("VM.get_by_uuid", vm)));
    }

    static String run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(CLIENT.toFile()).redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
            // its output ends only when it does
            if (!done) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(done, "timed out: " + command + "\n" + out);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}

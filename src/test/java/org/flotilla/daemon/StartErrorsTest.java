package org.flotilla.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.TestDaemonJvm;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What stops the daemon or setup.sh is said in one line that names the cause and what to do: a port another
 * program holds (named with FLOTILLA_PORT), a setting that is not a port — no stack trace on the way.
 */
@Slow
class StartErrorsTest {
    @TempDir Path dir;

    @Test
    void theDaemonOnATakenPortSaysSoInOneLine() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String java = ProcessHandle.current().info().command().orElse("java");
            var cmd = new ArrayList<>(List.of(java));
            cmd.addAll(TestDaemonJvm.options());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                    "--state-dir", dir.resolve("state").toString(), "--port", Integer.toString(taken.getLocalPort()),
                    "--bind", "127.0.0.1", "--address", "127.0.0.1", "--root-password-file", pw.toString()));
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue());
            String first = err.lines().filter(l -> l.startsWith("flotilla: ")).findFirst().orElse(err);
            assertTrue(first.contains("port " + taken.getLocalPort() + " is already in use") && first.contains("FLOTILLA_PORT"), err);
        }
    }

    @Test
    void setupOnATakenPortStopsAtOnceWithOneLine() throws Exception {
        try (var taken = new ServerSocket(0)) {
            Result r = setup(Integer.toString(taken.getLocalPort()));
            assertEquals(1, r.status, r.output);
            assertEquals(1, r.output.lines().count(), r.output);
            assertTrue(r.output.startsWith("flotilla: port " + taken.getLocalPort() + " is already in use"), r.output);
            assertTrue(r.output.contains("FLOTILLA_PORT="), r.output);
        }
        assertFalse(Files.exists(dir.resolve("state")), "nothing made before the check");
    }

    @Test
    void setupWithAPortThatIsNoPortSaysSo() throws Exception {
        Result r = setup("https");
        assertEquals(1, r.status, r.output);
        assertEquals("flotilla: FLOTILLA_PORT=https is not a port number (1-65535)", r.output.strip());
    }

    private record Result(int status, String output) {}

    private Result setup(String port) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(List.of("bash", TestGuest.REPO.resolve("scripts/setup.sh").toString())).redirectErrorStream(true);
        pb.environment().put("FLOTILLA_STATE", dir.resolve("state").toString());
        pb.environment().put("FLOTILLA_PORT", port);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }
}

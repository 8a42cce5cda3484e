package org.flotilla.daemon;

import static org.flotilla.TestTimeouts.LOADED;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.TestDaemonJvm;

/** The daemon as its own process, on loopback with an ephemeral port, for tests that kill it. */
public final class DaemonProcess {
    private static final Pattern SERVING = Pattern.compile("serving the XenAPI on port (\\d+)");

    private final Process process;
    private final int port;

    private DaemonProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts `flotilla serve` on {@code state}, root's password read from {@code passwordFile}, and waits until it serves. */
    public static DaemonProcess start(Path state, Path passwordFile) throws IOException {
        org.flotilla.TestDomainIds.seed(state);
        String java = ProcessHandle.current().info().command().orElse("java");
        // bin/flotilla's options with C1 alone, as a pool test's hosts: the daemon starts on less CPU, and these tests time nothing
        var cmd = new ArrayList<>(List.of(java));
        cmd.addAll(TestDaemonJvm.options());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--state-dir", state.toString(), "--port", "0", "--bind", "127.0.0.1", "--address", "127.0.0.1",
                "--root-password-file", passwordFile.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var log = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30 * LOADED);
        for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            log.append(line).append('\n');
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
                return new DaemonProcess(p, Integer.parseInt(m.group(1)));
            }
        }
        p.destroyForcibly();
        throw new AssertionError("daemon did not start:\n" + log);
    }

    public int port() { return port; }

    public Process process() { return process; }

    /** SIGKILL, and wait for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}

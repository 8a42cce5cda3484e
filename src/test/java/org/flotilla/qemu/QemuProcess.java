package org.flotilla.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.flotilla.os.HostCommand;

/**
 * One QEMU process with a QMP socket and its first serial port on a pipe.
 *
 * <p>{@link #start} takes the QEMU command line (binary and arguments) and adds
 * {@code -qmp unix:RUNDIR/qmp.sock,server=on,wait=off} and {@code -serial stdio}: the guest's
 * serial console is read line by line ({@link #serialLines()}, {@link #awaitSerial}), also copied
 * to {@code RUNDIR/serial.log}; QEMU's stderr goes to {@code RUNDIR/qemu.log}. It then connects
 * QMP. {@link #close()} kills QEMU if it still runs and removes the socket; the run directory
 * and its logs stay (they belong to the caller). QEMUs still running when the JVM exits are
 * killed by a shutdown hook.
 */
public final class QemuProcess implements AutoCloseable {
    /** QEMUs still running from this JVM: killed by a shutdown hook if the JVM exits first. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "qemu-reaper"));
    }

    private final Process process;
    private final Path runDir;
    private final Path qmpSocket;
    private final Path stderrLog;
    private final List<String> argv;
    private final List<String> serial = new ArrayList<>();
    private boolean serialEnded;
    private final Qmp qmp;

    private QemuProcess(Process process, Path runDir, Path qmpSocket, Path stderrLog, List<String> argv, Duration qmpTimeout)
            throws IOException {
        this.process = process;
        this.runDir = runDir;
        this.qmpSocket = qmpSocket;
        this.stderrLog = stderrLog;
        this.argv = argv;
        Path serialLog = runDir.resolve("serial.log");
        Thread.ofVirtual().name("qemu-serial " + process.pid()).start(() -> pumpSerial(process.getInputStream(), serialLog));
        Qmp q;
        try {
            q = Qmp.connect(qmpSocket, qmpTimeout, () -> !process.isAlive());
        } catch (IOException e) {
            // QEMU that fails on its arguments may have made the socket (and let us connect) before
            // exiting: give it a moment to be reaped, so the message carries its exit code and error
            try {
                process.waitFor(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            String why = process.isAlive() ? " QEMU is still running (pid " + process.pid() + "); stderr: " + stderrTail()
                    : " QEMU exited with " + exitCodeOr(-1) + ": " + stderrTail().strip();
            destroy();
            throw new QmpException("QEMU started but QMP did not come up." + why, e);
        }
        this.qmp = q;
    }

    /**
     * Starts QEMU.
     *
     * @param argv       the QEMU binary and its arguments, without {@code -qmp} and {@code -serial}
     * @param runDir     an existing directory for the QMP socket and the logs (short path: unix
     *                   socket paths are limited to 107 bytes)
     * @param qmpTimeout how long to wait for the QMP socket
     */
    public static QemuProcess start(List<String> argv, Path runDir, Duration qmpTimeout) throws IOException {
        Path sock = runDir.resolve("qmp.sock");
        Files.deleteIfExists(sock);
        Path stderr = runDir.resolve("qemu.log");
        List<String> cmd = new ArrayList<>(argv);
        cmd.addAll(List.of("-qmp", "unix:" + sock + ",server=on,wait=off", "-serial", "stdio"));
        ProcessBuilder pb = HostCommand.of(cmd)
                .redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return new QemuProcess(p, runDir, sock, stderr, List.copyOf(cmd), qmpTimeout);
    }

    /** The full command line QEMU was started with. */
    public List<String> argv() {
        return argv;
    }

    public long pid() {
        return process.pid();
    }

    /** The QMP client (connected, capabilities negotiated). */
    public Qmp qmp() {
        return qmp;
    }

    public Path runDir() {
        return runDir;
    }

    public Path qmpSocket() {
        return qmpSocket;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Serial console lines so far. */
    public List<String> serialLines() {
        synchronized (serial) {
            return List.copyOf(serial);
        }
    }

    /** Writes text to the guest's serial console (its ttyS0 input). */
    public void writeSerial(String text) throws IOException {
        OutputStream out = process.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Waits for a serial line matching {@code regex} (searched with find) from the start of the output. */
    public String awaitSerial(String regex, Duration timeout) throws IOException {
        Pattern p = Pattern.compile(regex);
        return awaitSerial(0, l -> p.matcher(l).find(), timeout, "/" + regex + "/");
    }

    /**
     * Waits for the first serial line at index {@code from} or later (see {@link #serialLines()}
     * size) that matches. Fails with an IOException at once if QEMU exits first, and on timeout.
     */
    public String awaitSerial(int from, Predicate<String> match, Duration timeout, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (serial) {
            int i = from;
            while (true) {
                for (; i < serial.size(); i++) {
                    if (match.test(serial.get(i))) {
                        return serial.get(i);
                    }
                }
                if (serialEnded) {
                    throw new IOException("QEMU (pid " + pid() + ") exited (" + exitCodeOr(-1) + ") before the serial console printed "
                            + what + "; last lines: " + tail(serial, 10) + "; stderr: " + stderrTail());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("serial console of QEMU pid " + pid() + " did not print " + what + " within " + timeout
                            + "; last lines: " + tail(serial, 10));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(serial, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for serial " + what, e);
                }
            }
        }
    }

    /** Waits for QEMU to exit; returns its exit code, or empty on timeout. */
    public Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.of(process.exitValue());
        }
        return Optional.empty();
    }

    /** Kills QEMU with SIGKILL (as a crash would) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** QEMU's stderr so far (its last 2000 characters). */
    public String stderrTail() {
        try {
            String s = Files.readString(stderrLog);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException | UncheckedIOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops QEMU: {@code quit} over QMP, then SIGKILL if it is still running after {@code grace}.
     */
    public void stop(Duration grace) throws InterruptedException {
        if (process.isAlive() && qmp.isOpen()) {
            try {
                qmp.execute("quit", java.util.Map.of(), grace);
            } catch (QmpException ignored) {
                // the connection closes as QEMU quits; or it is stuck and gets killed below
            }
        }
        if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            kill();
        }
        cleanup();
    }

    /** Kills QEMU if it still runs, closes QMP and removes the socket. Never throws. */
    @Override
    public void close() {
        destroy();
    }

    private void destroy() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanup();
    }

    private void cleanup() {
        if (qmp != null) {
            qmp.close();
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // gone
        }
        try {
            Files.deleteIfExists(qmpSocket);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private String exitCodeOr(int dflt) {
        try {
            return String.valueOf(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "still running";
        }
    }

    private void pumpSerial(InputStream in, Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                OutputStream out = Files.newOutputStream(log)) {
            String line;
            while ((line = r.readLine()) != null) {
                String clean = line.replace("\r", "");
                out.write((clean + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                synchronized (serial) {
                    serial.add(clean);
                    serial.notifyAll();
                }
            }
        } catch (IOException e) {
            // the pipe broke: QEMU is gone
        } finally {
            // the pipe closes a little before the process is reaped; let awaitSerial report the exit code
            try {
                process.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (serial) {
                serialEnded = true;
                serial.notifyAll();
            }
        }
    }

    private static String tail(List<String> lines, int n) {
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}

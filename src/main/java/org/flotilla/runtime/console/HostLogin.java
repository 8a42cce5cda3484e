package org.flotilla.runtime.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One login on the host's console, as the byte stream its connection carries: what the terminal prints is read, what
 * the client types is written. Closing it hangs the terminal up as a modem's hang-up would: SIGTERM to the login and
 * to every process of the sessions started under it, SIGKILL to what is left after {@link #GRACE}; then it is
 * counted as ended.
 */
final class HostLogin implements ByteChannel {
    static final Duration GRACE = Duration.ofSeconds(2);

    private final Process process;
    private final InputStream terminal;
    private final OutputStream keyboard;
    private final Consumer<HostLogin> onEnd;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean open = true;

    HostLogin(Process process, Consumer<HostLogin> onEnd) {
        this.process = process;
        this.terminal = process.getInputStream();
        this.keyboard = process.getOutputStream();
        this.onEnd = onEnd;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) throw new ClosedChannelException();
        byte[] chunk = new byte[Math.min(dst.remaining(), 16 * 1024)];
        int n = terminal.read(chunk); // returns what the terminal has printed so far, a prompt without its newline too
        if (n > 0) dst.put(chunk, 0, n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) throw new ClosedChannelException();
        byte[] typed = new byte[src.remaining()];
        src.get(typed);
        keyboard.write(typed);
        keyboard.flush();
        return typed.length;
    }

    @Override
    public boolean isOpen() { return open; }

    /** Hangs up: returns at once; {@link #ended()} completes once no process of the login is left. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        List<ProcessHandle> started = underLogin();
        started.forEach(ProcessHandle::destroy);
        Thread.ofVirtual().name("host console hang-up " + process.pid()).start(() -> {
            try {
                long deadline = System.nanoTime() + GRACE.toNanos();
                while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) Thread.sleep(50);
                started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
                process.waitFor();
                closeQuietly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                onEnd.accept(this);
                ended.complete(null);
            }
        });
    }

    /** Completes once the login and everything started under it are gone. */
    CompletableFuture<Void> ended() { return ended; }

    /**
     * The processes of this login: script, the login program and what it started, with whatever was started in the
     * sessions they lead (a job left running in the background by a shell that has exited, for one), but not the
     * daemon's own session, which script shares.
     */
    private List<ProcessHandle> underLogin() {
        List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        Set<Long> sessions = new HashSet<>();
        tree.forEach(p -> sessionOf(p.pid()).ifPresent(sessions::add));
        sessionOf(ProcessHandle.current().pid()).ifPresent(sessions::remove);
        var all = new java.util.LinkedHashSet<>(tree);
        if (!sessions.isEmpty()) {
            ProcessHandle.allProcesses().filter(p -> sessionOf(p.pid()).filter(sessions::contains).isPresent()).forEach(all::add);
        }
        return List.copyOf(all);
    }

    /** A process's session id, from {@code /proc/<pid>/stat} (the fourth field after the command's closing parenthesis). */
    private static Optional<Long> sessionOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(after[3]));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    private void closeQuietly() {
        try {
            keyboard.close();
        } catch (IOException ignored) {
            // the pipe's other end is gone with the process
        }
        try {
            terminal.close();
        } catch (IOException ignored) {
            // likewise
        }
    }
}

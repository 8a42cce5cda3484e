package org.flotilla.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The writes a writer guest ({@code flotilla.mode=writer}) reports on its console, each with when this process saw it
 * appear in the serial log: from the logs of a migration's source and destination, how long the guest made no
 * write at all — the pause a user of the guest sees, measured alike for the daemons and for QEMU alone (QEMU's own
 * downtime leaves out what happens around its stream: the mirrors' end, the destination's cont).
 */
final class GuestWrites implements AutoCloseable {
    private static final Pattern WROTE = Pattern.compile("WROTE (\\d+)");
    private static final long POLL_NANOS = 1_000_000;

    /** One write the guest reported, and when it was seen (System.nanoTime). */
    record Write(long n, long seenNanos) {}

    private final Path log;
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final Thread follower;
    private volatile boolean closed;

    private GuestWrites(Path log) {
        this.log = log;
        this.follower = Thread.ofPlatform().daemon().name("guest-writes").start(this::follow);
    }

    /** Follows {@code log} from the writes it holds now on (it may not exist yet, or be made anew). */
    static GuestWrites follow(Path log) { return new GuestWrites(log); }

    private void follow() {
        long offset = 0;
        var partial = new StringBuilder();
        boolean first = true;
        while (!closed) {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long len = f.length();
                if (len < offset) offset = 0; // a new log
                if (first) {
                    offset = len; // what was written before is not what is watched
                    first = false;
                }
                if (len > offset) {
                    byte[] b = new byte[(int) Math.min(len - offset, 1 << 20)];
                    f.seek(offset);
                    f.readFully(b);
                    offset += b.length;
                    long now = System.nanoTime();
                    partial.append(new String(b, StandardCharsets.ISO_8859_1));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        Matcher m = WROTE.matcher(partial.substring(0, nl));
                        if (m.find()) writes.add(new Write(Long.parseLong(m.group(1)), now));
                        partial.delete(0, nl + 1);
                    }
                }
            } catch (IOException e) {
                first = false; // a log that appears later is watched from its start
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** The last write seen, or null. */
    Write last() { return writes.isEmpty() ? null : writes.getLast(); }

    /** Waits until the guest has reported {@code n} writes here. */
    void await(int n) throws InterruptedException {
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos();
        while (writes.size() < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("fewer than " + n + " writes seen in " + log + exists() + tail());
            Thread.sleep(20);
        }
    }

    private String exists() { return Files.exists(log) ? "" : " (no such file)"; }

    /** What the guest said last, other than its writes: why it stopped writing, if it says. */
    private String tail() {
        try {
            var said = Files.readString(log, StandardCharsets.ISO_8859_1).lines().filter(l -> !WROTE.matcher(l).find()).toList();
            return said.isEmpty() ? "" : "; its console's last other lines:\n" + String.join("\n", said.subList(Math.max(0, said.size() - 8), said.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Milliseconds between the last write seen on {@code source} and the first later one seen here, waiting a little for
     * it; -1 if none came.
     */
    double pauseAfter(GuestWrites source) throws InterruptedException {
        List<Write> before = source.writes;
        if (before.isEmpty()) return -1;
        Write last = before.getLast();
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Write w : writes) {
                if (w.n() > last.n()) return (w.seenNanos() - last.seenNanos()) / 1e6;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        follower.join();
    }
}

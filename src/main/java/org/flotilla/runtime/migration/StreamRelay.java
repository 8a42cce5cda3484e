package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries a migration stream (one way) or a disk's NBD connection (both ways) between QEMU's unix socket in its jail
 * and the daemons' TLS connection ({@link TlsChannel}): QEMU never touches the network, and what crosses it is the
 * daemons' to guard.
 */
final class StreamRelay {
    private static final int CHUNK = 128 << 10;
    /**
     * What the TCP connection holds in flight: small, so that the source's QEMU feels the destination's pace and its
     * idea of what remains (and so of the downtime) is not megabytes of kernel buffers short.
     */
    static final int SOCKET_BUFFER = 256 << 10;

    private StreamRelay() {}

    /** Everything {@code from} sends, written to {@code to}, whose sending side is then shut; returns the bytes carried. */
    static long copy(RelayEnd from, RelayEnd to) throws IOException { return copy(from, to, new AtomicLong()); }

    /** The same, counting in {@code carried} as the bytes go, for whoever watches the stream stall. */
    static long copy(RelayEnd from, RelayEnd to, AtomicLong carried) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        while (from.read(buf) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) carried.addAndGet(to.write(buf));
            buf.clear();
        }
        to.shutdownOutput();
        return carried.get();
    }

    /**
     * Carries both directions between {@code a} and {@code b} (a disk's NBD connection: requests one way, replies the
     * other) until both have ended; closes both.
     */
    static void bothWays(RelayEnd a, RelayEnd b) {
        Thread back = Thread.ofVirtual().start(() -> quietly(b, a));
        quietly(a, b);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private static void quietly(RelayEnd from, RelayEnd to) {
        try {
            copy(from, to);
        } catch (IOException e) {
            // one side went: the other must not wait for it
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(RelayEnd c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all that was left to do
        }
    }

    /**
     * Reads (and drops) what {@code from} still sends until its end: a one-way stream's sender waits so for the
     * receiver to have taken everything and closed TLS in answer. It also takes what TLS sent unasked (a session
     * ticket): closed unread, it would make the kernel end the connection with a reset, which may destroy the stream's
     * last bytes on their way.
     */
    static void awaitEnd(RelayEnd from) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (from.read(buf) >= 0) buf.clear();
    }

    /** Reads exactly {@code n} bytes (fewer only if the peer closes first). */
    static ByteBuffer readExactly(RelayEnd from, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining() && from.read(buf) >= 0) { }
        return buf.flip();
    }
}

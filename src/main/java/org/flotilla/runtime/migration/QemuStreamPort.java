package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.flotilla.os.Fd;
import org.flotilla.os.OsException;
import org.flotilla.os.TcpSockets;

/**
 * The destination daemon's TCP port for one VM's memory stream: of the connections made to it, the first that opens
 * with the migration's token (and a newline) within {@link QemuSockets#HANDSHAKE} goes to QEMU, which speaks TLS on
 * it; the port then closes. The token is a one-time ticket to QEMU's TLS handshake, not the proof of who connects —
 * the handshake is, with the one certificate the source sent through the pool's own TLS — so that it crosses in
 * clear costs nothing but what anyone on the path could do anyway (cut it); it keeps whoever else knocks from
 * spoiling QEMU's one incoming stream. Each connection is read on a thread of its own, so a silent one holds up none.
 */
final class QemuStreamPort implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(QemuStreamPort.class.getName());
    private static final Duration POLL = Duration.ofMillis(250);
    /**
     * Connections read at once for their token; past it, a new one is closed unread, so that whoever knocks uses up no
     * descriptors of the daemon's. The source's own comes at once, before anyone could learn the port to knock on.
     */
    static final int READ_AT_ONCE = 16;

    /** What the admitted connection is given to. */
    interface Taker { void take(Fd connection) throws IOException; }

    private final TcpSockets.Listening listening;
    private final String token;
    private final Taker taker;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final Semaphore reading = new Semaphore(READ_AT_ONCE);
    private final AtomicInteger refusedUnread = new AtomicInteger();
    private volatile boolean closed;

    private QemuStreamPort(TcpSockets.Listening listening, String token, Taker taker) {
        this.listening = listening;
        this.token = token;
        this.taker = taker;
    }

    static QemuStreamPort open(InetAddress address, String token, Taker taker) throws OsException {
        var port = new QemuStreamPort(TcpSockets.listen(address, 8), token, taker);
        Thread.ofVirtual().name("migration-port-" + port.port()).start(port::acceptAll);
        return port;
    }

    int port() { return listening.port(); }

    private void acceptAll() {
        try (listening) {
            while (!closed && !taken.get()) {
                Fd c = TcpSockets.accept(listening.fd(), POLL);
                if (c == null) continue;
                if (!reading.tryAcquire()) {
                    // counted first: whoever sees the connection closed finds it counted
                    refusedUnread.incrementAndGet();
                    c.close();
                    continue;
                }
                Thread.ofVirtual().name("migration-admit").start(() -> {
                    try {
                        admit(c);
                    } finally {
                        reading.release();
                    }
                });
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "migration port " + port() + " stopped: " + e.getMessage());
        }
        if (refusedUnread.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "migration port " + port() + " closed " + refusedUnread.get()
                    + " connections unread: " + READ_AT_ONCE + " were being read already");
        }
    }

    /** How many connections were closed unread, {@link #READ_AT_ONCE} being read already. */
    int refusedUnread() { return refusedUnread.get(); }

    /** How many connections are being read for their token now. */
    int beingRead() { return READ_AT_ONCE - reading.availablePermits(); }

    private void admit(Fd c) {
        try {
            byte[] given = TcpSockets.read(c, OneTimeToken.LENGTH + 1, QemuSockets.HANDSHAKE);
            String line = new String(given, StandardCharsets.US_ASCII);
            if (!line.endsWith("\n") || !OneTimeToken.matches(token, line.substring(0, OneTimeToken.LENGTH))) throw new IOException("no migration token");
            if (closed || !taken.compareAndSet(false, true)) throw new IOException("the stream was taken already");
            TcpSockets.watch(c, QemuSockets.LIVENESS);
            taker.take(c);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "refused a connection to migration port " + port() + ": " + e.getMessage());
        } finally {
            c.close();
        }
    }

    /** Stops letting connections in. */
    @Override
    public void close() { closed = true; }
}

package org.flotilla.runtime.migration;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flotilla.os.Fd;
import org.flotilla.os.TcpSockets;
import org.flotilla.qemu.QmpFds;
import org.flotilla.runtime.domain.Domain;

/**
 * The TCP connections a VM migrates over: the daemon makes them (QEMU's jail reaches no address of its own) and hands
 * them to the VM's QEMU, which speaks TLS on them itself ({@link QemuTls}); no daemon carries a byte of the VM.
 */
final class QemuSockets {
    /**
     * A link or peer that is gone fails the connection within the stall bound: sent data unacknowledged that long, or
     * an idle connection unanswered to its probes — a QEMU reading a stream would otherwise wait on it for ever.
     */
    static final TcpSockets.Liveness LIVENESS = new TcpSockets.Liveness(Duration.ofSeconds(OutgoingMigrations.STALL_SECONDS),
            Duration.ofSeconds(5), Duration.ofSeconds(2), 5);

    /** How long a connection may take to be made, or to open with its token. */
    static final Duration HANDSHAKE = Duration.ofSeconds(10);

    private QemuSockets() {}

    /** A connection to the destination's {@code address}:{@code port}, made within the handshake's bound. */
    static Fd connect(String address, int port) throws IOException {
        Fd fd = TcpSockets.connect(new InetSocketAddress(address, port), HANDSHAKE);
        try {
            TcpSockets.watch(fd, LIVENESS);
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * A socket listening at {@code address} for {@code backlog} connections, which the connections it accepts watch as
     * {@link #LIVENESS} says (they inherit it): the side of a stream whose source is gone lets go too.
     */
    static TcpSockets.Listening listen(InetAddress address, int backlog) throws IOException {
        TcpSockets.Listening listening = TcpSockets.listen(address, backlog);
        try {
            TcpSockets.watch(listening.fd(), LIVENESS);
            return listening;
        } catch (IOException | RuntimeException e) {
            listening.close();
            throw e;
        }
    }

    /**
     * Gives {@code d}'s QEMU {@code fd} as {@code name} and runs {@code command} that takes it, in the one monitor
     * session the name belongs to. The daemon's own copy is closed either way: QEMU holds the connection now.
     */
    static JsonNode handOver(Domain d, String name, Fd fd, String command, Map<String, ?> args) throws IOException {
        try (fd) {
            return QmpFds.session(d.fdSocket(), s -> {
                s.getfd(name, fd);
                return s.execute(command, args, List.of());
            });
        }
    }
}

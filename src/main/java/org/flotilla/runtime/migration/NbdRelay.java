package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A unix socket of the source daemon's for one NBD client (the VM's QEMU, or qemu-img for a halted VM), whose one
 * connection is carried both ways, over TLS, to the destination's disks port.
 */
final class NbdRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NbdRelay.class.getName());

    private final Path socket;
    private final ServerSocketChannel listening;

    private NbdRelay(Path socket, ServerSocketChannel listening) {
        this.socket = socket;
        this.listening = listening;
    }

    static NbdRelay open(Path socket, MigrationDial disks) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listening.bind(UnixDomainSocketAddress.of(socket));
        var relay = new NbdRelay(socket, listening);
        Thread.ofVirtual().name("disk-out-" + socket.getFileName()).start(() -> relay.carry(disks));
        return relay;
    }

    Path socket() { return socket; }

    private void carry(MigrationDial disks) {
        try (listening) {
            SocketChannel client = listening.accept();
            RelayEnd peer;
            try {
                peer = disks.open();
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
            StreamRelay.bothWays(RelayEnd.of(client), peer);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the NBD connection at " + socket + " ended: " + e);
        }
    }

    @Override
    public void close() {
        try {
            listening.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + socket + ": " + e);
        }
    }
}

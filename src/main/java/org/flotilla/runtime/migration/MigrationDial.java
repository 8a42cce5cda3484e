package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The way from the source to one of the destination's migration ports: where it is, whom the destination must be, and
 * the token each connection opens with once TLS is up.
 */
record MigrationDial(MigrationTls tls, String address, int port, PeerTrust destination, String token) {
    /** A connection to the port, past TLS and the token, ready for the stream. */
    RelayEnd open() throws IOException {
        SocketChannel tcp = SocketChannel.open();
        try {
            tcp.setOption(StandardSocketOptions.SO_SNDBUF, StreamRelay.SOCKET_BUFFER);
            tcp.setOption(StandardSocketOptions.TCP_NODELAY, true);
            TlsChannel link;
            try (var deadline = Deadline.closing(tcp, MigrationTls.HANDSHAKE)) {
                tcp.connect(new InetSocketAddress(address, port));
            }
            link = tls.connect(tcp, destination);
            ByteBuffer opening = StandardCharsets.US_ASCII.encode(token + "\n");
            while (opening.hasRemaining()) link.write(opening);
            return link;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }
}

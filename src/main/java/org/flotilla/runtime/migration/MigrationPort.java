package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP port of the destination daemon's for one migration. It lets in the connections that complete TLS with the
 * trust given and then open with the migration's token (and a newline); each is checked on a thread of its own within
 * {@link MigrationTls#HANDSHAKE}, so that whoever else connects — in clear, with a certificate that is not pinned, or
 * silent — is closed having been sent nothing but TLS's refusal, and the source's own connection goes through as if
 * it had not been there.
 */
final class MigrationPort implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MigrationPort.class.getName());
    /** Put in the queue when the port closes, so that a taker waiting for a connection stops. */
    private static final RelayEnd CLOSED = RelayEnd.of(null);

    private final ServerSocketChannel server;
    private final int port;
    private final MigrationTls tls;
    private final PeerTrust sources;
    private final String token;
    private final LinkedBlockingQueue<RelayEnd> admitted = new LinkedBlockingQueue<>();

    private MigrationPort(ServerSocketChannel server, MigrationTls tls, PeerTrust sources, String token) throws IOException {
        this.server = server;
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        this.tls = tls;
        this.sources = sources;
        this.token = token;
    }

    /** A port at {@code address} whose connections must come from {@code sources} and open with {@code token}. */
    static MigrationPort open(MigrationTls tls, PeerTrust sources, InetAddress address, String token) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_RCVBUF, StreamRelay.SOCKET_BUFFER);
            server.bind(new InetSocketAddress(address, 0));
            var port = new MigrationPort(server, tls, sources, token);
            Thread.ofVirtual().name("migration-port-" + port.port()).start(port::acceptAll);
            return port;
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    int port() { return port; }

    /** The next connection let in, waiting for it; an IOException once the port has closed. */
    RelayEnd next() throws IOException {
        try {
            RelayEnd c = admitted.take();
            if (c == CLOSED) {
                admitted.add(CLOSED);
                throw new IOException("the migration port closed");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the source", e);
        }
    }

    private void acceptAll() {
        try {
            while (true) {
                SocketChannel tcp = server.accept();
                Thread.ofVirtual().name("migration-admit").start(() -> admit(tcp));
            }
        } catch (IOException e) {
            admitted.add(CLOSED);
        }
    }

    private void admit(SocketChannel tcp) {
        try (var deadline = Deadline.closing(tcp, MigrationTls.HANDSHAKE)) {
            tcp.setOption(StandardSocketOptions.TCP_NODELAY, true);
            TlsChannel link = tls.accept(tcp, sources);
            String given = StandardCharsets.US_ASCII.decode(StreamRelay.readExactly(link, OneTimeToken.LENGTH + 1)).toString();
            if (!given.endsWith("\n") || !OneTimeToken.matches(token, given.substring(0, given.length() - 1))) {
                throw new IOException("no migration token");
            }
            admitted.add(link);
            if (!server.isOpen()) drain();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "refused a connection to migration port " + port() + " from " + remote(tcp) + ": " + e.getMessage());
            closeQuietly(tcp);
        }
    }

    private static String remote(SocketChannel tcp) {
        try {
            return String.valueOf(tcp.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    /** Stops letting connections in; those let in and not taken are closed. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a migration port: " + e);
        }
        drain();
    }

    private void drain() {
        for (RelayEnd c; (c = admitted.peek()) != null && c != CLOSED; ) {
            if (admitted.remove(c)) closeQuietly(c);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // refused or given up on either way
        }
    }
}

package org.flotilla.runtime.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.flotilla.raft.MemberTls;
import org.flotilla.server.HostCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemons' migration connections on loopback, without QEMU: a source's {@link MigrationDial} to a destination's
 * {@link MigrationPort}, each host with a certificate of its own. What is carried arrives whole both ways, what
 * crosses the wire is TLS, a source reaches only the certificate it pins, and a destination lets in only the pool's
 * members with the token — while whoever else connects gets nothing and leaves the port to the real source.
 */
class MigrationTlsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir Path dir;
    HostCertificate source;
    HostCertificate destination;
    HostCertificate stranger;
    MigrationTls sourceTls;
    MigrationTls destinationTls;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void threeHosts() {
        source = HostCertificate.create(dir.resolve("source.pem"), "source", List.of());
        destination = HostCertificate.create(dir.resolve("destination.pem"), "destination", List.of());
        stranger = HostCertificate.create(dir.resolve("stranger.pem"), "stranger", List.of());
        Set<String> pool = Set.of(source.sha256Fingerprint(), destination.sha256Fingerprint());
        sourceTls = tls(source, pool);
        destinationTls = tls(destination, pool);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    private static MigrationTls tls(HostCertificate host, Set<String> members) {
        MemberTls identity = host.memberTls(() -> members);
        return new MigrationTls(() -> identity, () -> members);
    }

    private MigrationPort port(PeerTrust sources, String token) throws IOException {
        MigrationPort p = MigrationPort.open(destinationTls, sources, LOOPBACK, token);
        toClose.add(p);
        return p;
    }

    private MigrationDial dial(MigrationTls from, MigrationPort to, PeerTrust expected, String token) {
        return from.dial(LOOPBACK.getHostAddress(), to.port(), expected, token);
    }

    private PeerTrust theDestination() { return PeerTrust.fingerprint(destination.sha256Fingerprint()); }

    @Test
    void aStreamCrossesWholeBothWaysAndEachDirectionEndsOnItsOwn() throws Exception {
        String token = OneTimeToken.create();
        MigrationPort port = port(destinationTls.members(), token);
        byte[] there = randomBytes(24 << 20, 1);
        byte[] back = randomBytes(3 << 20, 2);

        var received = CompletableFuture.supplyAsync(() -> {
            try (RelayEnd in = port.next()) {
                byte[] got = readAll(in);
                write(in, back); // after the source's half has ended: TLS 1.3 keeps this direction open
                in.shutdownOutput();
                return got;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long t0 = System.nanoTime();
        byte[] answer;
        try (RelayEnd out = dial(sourceTls, port, theDestination(), token).open()) {
            write(out, there);
            out.shutdownOutput();
            answer = readAll(out);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertArrayEquals(sha256(there), sha256(received.get(30, TimeUnit.SECONDS)), "what the source sent arrived whole");
        assertArrayEquals(sha256(back), sha256(answer), "and the other direction too");
        System.out.printf("MigrationTlsTest: %d MiB over TLS on loopback in %.2f s (%.0f MB/s, both ends in this JVM)%n",
                (there.length + back.length) >> 20, seconds, (there.length + back.length) / 1e6 / seconds);
    }

    @Test
    void whatCrossesTheWireIsATlsHandshakeAndNeverTheToken() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            String token = OneTimeToken.create();
            var dial = sourceTls.dial(LOOPBACK.getHostAddress(), ((InetSocketAddress) listener.getLocalAddress()).getPort(), theDestination(), token);
            var attempt = CompletableFuture.runAsync(() -> {
                try (RelayEnd ignored = dial.open()) {
                    throw new AssertionError("a listener that speaks no TLS was taken for the destination");
                } catch (IOException expected) {
                    // the listener never answers: the handshake gives up
                }
            });
            byte[] first;
            try (SocketChannel wire = listener.accept()) {
                first = readUpTo(wire, 512);
            }
            attempt.get(30, TimeUnit.SECONDS);
            assertEquals(0x16, first[0], "a TLS handshake record");
            assertEquals(0x03, first[1], "of TLS's record version");
            assertEquals(0x01, first[5], "that opens with a ClientHello");
            assertFalse(new String(first, StandardCharsets.ISO_8859_1).contains(token), "the token is not sent before TLS is up");
        }
    }

    @Test
    void aSourceReachesOnlyTheCertificateItPins() throws Exception {
        String token = OneTimeToken.create();
        MigrationPort port = port(destinationTls.members(), token);
        // the pool's other member, and a host of no pool: neither is the destination the source was told of
        for (String expected : List.of(source.sha256Fingerprint(), stranger.sha256Fingerprint())) {
            var dial = dial(sourceTls, port, PeerTrust.fingerprint(expected), token);
            assertThrows(SSLException.class, dial::open);
        }
        assertThrows(IllegalArgumentException.class, () -> sourceTls.connect(SocketChannel.open(), PeerTrust.ANYONE));
        assertCarries(port, dial(sourceTls, port, theDestination(), token), "the real source, after them");
    }

    @Test
    void aClientInClearOrUnpinnedOrWithoutTheTokenOrSilentGetsNothingAndTheSourceStillGoesThrough() throws Exception {
        String token = OneTimeToken.create();
        MigrationPort port = port(destinationTls.members(), token);

        Socket silent = new Socket(LOOPBACK, port.port()); // holds no thread the source needs
        toClose.add(silent);
        byte[] toPlainClient = plainClient(port, (token + "\nsome stream").getBytes(StandardCharsets.US_ASCII));
        assertTrue(toPlainClient.length == 0 || toPlainClient[0] == 0x15, "a client in clear gets at most TLS's alert, never data");

        MigrationTls unpinned = tls(stranger, Set.of(destination.sha256Fingerprint()));
        assertRefused(dial(unpinned, port, theDestination(), token));
        assertRefused(dial(sourceTls, port, theDestination(), OneTimeToken.create()));

        assertCarries(port, dial(sourceTls, port, theDestination(), token), "the real source, after them all");
        assertTrue(silent.isConnected());
    }

    @Test
    void aDestinationForSourcesOutsideThePoolLetsInAnyCertificateOrNoneWithTheToken() throws Exception {
        String token = OneTimeToken.create();
        MigrationPort port = port(PeerTrust.ANYONE, token);
        MigrationTls otherPool = tls(stranger, Set.of(stranger.sha256Fingerprint()));
        assertRefused(dial(otherPool, port, theDestination(), OneTimeToken.create()));
        assertCarries(port, dial(otherPool, port, theDestination(), token), "a source of another pool, with the token");
    }

    @Test
    void aFingerprintIsTakenInAnySpellingOfItsHex() {
        String fp = destination.sha256Fingerprint();
        var spelled = PeerTrust.fingerprint(fp.replace(":", "").toLowerCase());
        assertEquals(Set.of(fp), ((PeerTrust.Pinned) spelled).fingerprints().get());
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.fingerprint("AB:CD"));
    }

    /** A connection that the port must not let in: whatever it sends, nothing reaches the taker and nothing comes back. */
    private static void assertRefused(MigrationDial dial) {
        // TLS 1.3 ends the client's handshake before the server has checked its certificate: the refusal may come after
        try (RelayEnd c = dial.open()) {
            write(c, "not for you".getBytes(StandardCharsets.US_ASCII));
            assertThrows(IOException.class, () -> readAll(c), "the port closes it without a byte of data");
        } catch (IOException refusedAtOnce) {
            // refused in the handshake
        }
    }

    /** The port lets the connection in, and what it sends arrives. */
    private static void assertCarries(MigrationPort port, MigrationDial dial, String who) throws Exception {
        byte[] data = ("from " + who).getBytes(StandardCharsets.US_ASCII);
        var taken = CompletableFuture.supplyAsync(() -> {
            try (RelayEnd in = port.next()) {
                return readAll(in);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try (RelayEnd out = dial.open()) {
            write(out, data);
            out.shutdownOutput();
            assertArrayEquals(data, taken.get(30, TimeUnit.SECONDS), who);
        }
    }

    private static byte[] plainClient(MigrationPort port, byte[] send) throws IOException {
        try (Socket s = new Socket(LOOPBACK, port.port())) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
            OutputStream out = s.getOutputStream();
            out.write(send);
            out.flush();
            InputStream in = s.getInputStream();
            try {
                return in.readAllBytes();
            } catch (IOException reset) {
                return new byte[0];
            }
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(RelayEnd c, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(128 << 10);
        for (int off = 0; off < data.length; ) {
            int n = Math.min(buf.capacity(), data.length - off);
            buf.clear();
            buf.put(data, off, n).flip();
            while (buf.hasRemaining()) c.write(buf);
            off += n;
        }
    }

    private static byte[] readAll(RelayEnd c) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocateDirect(128 << 10);
        while (c.read(buf) >= 0) {
            buf.flip();
            byte[] chunk = new byte[buf.remaining()];
            buf.get(chunk);
            out.write(chunk);
            buf.clear();
        }
        return out.toByteArray();
    }

    private static byte[] readUpTo(SocketChannel c, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.position() < 6 && c.read(buf) >= 0) { }
        buf.flip();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception { return MessageDigest.getInstance("SHA-256").digest(b); }
}

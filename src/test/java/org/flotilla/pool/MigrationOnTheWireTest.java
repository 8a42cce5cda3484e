package org.flotilla.pool;

import static org.flotilla.pool.NodesOnOneDatabase.call;
import static org.flotilla.pool.NodesOnOneDatabase.login;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.flotilla.Slow;
import org.flotilla.daemon.Node;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.server.HostCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the link when a real guest migrates (two Nodes of one database in this JVM, loopback): the test sits
 * between the hosts as a TCP relay of its own that records what the source sends. A guest whose kernel command line
 * holds a random marker — in its memory, as a dump of that memory shows — moves from A to B; the stream the relay saw
 * opens with the migration's one-time token, then QEMU's TLS handshake, and never holds the marker. Meanwhile clients
 * in clear or speaking TLS without the token knock at B's port and get nothing, and the migration goes through; once
 * it has, the token opens nothing. One who has the token but not the source QEMU's key gets nothing either (the move
 * fails, the guest whole on its host). A source's QEMU sends only to the QEMU holding the key of the certificate the
 * destination answered with.
 */
@Slow
class MigrationOnTheWireTest {
    @TempDir Path dir;
    NodesOnOneDatabase hosts;
    Node a;
    Node b;
    String sa;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void twoHosts() throws Exception {
        hosts = new NodesOnOneDatabase(dir);
        List<Node> two = hosts.startForMigrations(2);
        a = two.get(0);
        b = two.get(1);
        sa = login(a);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        if (hosts != null) hosts.close();
    }

    @Test
    void theMemoryStreamIsTlsAndOthersAtThePortGetNothing() throws Exception {
        String marker = "FLOTILLA-MARKER-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(12));
        Ref<VM> vm = guestOnA(marker);
        assertTrue(inMemory(a, vm, marker), "the marker is in the guest's memory, so a stream in clear would show it");

        var wire = new WireRecorder(marker);
        toClose.add(wire);
        var intruders = new ArrayList<String>();
        MigrationPeer real = b.vmRuntime().migrationTarget();
        var stream = new IncomingStream[1];
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                stream[0] = in;
                intruders.add("in clear: " + plainClient(in, "0".repeat(in.token().length())));
                intruders.add("TLS first: " + strangerClient(in, null));
                return in.withPort(wire.forwardTo(in.address(), in.port()));
            }
        });
        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());

        assertEquals(b.host(), hosts.db.require(vm).get(VM.resident_on), "the guest moved through the test's relay, intruders and all");
        assertEquals(VmPowerState.Running, hosts.db.require(vm).get(VM.power_state));
        assertEquals(List.of("in clear: nothing", "TLS first: nothing"), intruders);
        String token = stream[0].token();
        byte[] first = wire.first();
        System.out.printf("MigrationOnTheWireTest: %d bytes crossed, opening %s%n", wire.carried(), HexFormat.of().formatHex(first, 0, 80));
        assertTrue(wire.carried() > 8 << 20, "the memory crossed the relay: " + wire.carried() + " bytes");
        assertEquals(token + "\n", new String(first, 0, token.length() + 1, StandardCharsets.US_ASCII), "the one-time token opens the stream");
        int tls = token.length() + 1;
        assertEquals(0x16, first[tls], "then a TLS handshake record");
        assertEquals(0x03, first[tls + 1]);
        assertEquals(0x01, first[tls + 5], "a ClientHello");
        assertFalse(wire.saw(marker), "the guest's memory does not cross in clear");
        assertTrue(inMemory(b, vm, marker), "the guest arrived with its memory");
        assertEquals("nothing", plainClient(stream[0], token), "the token opens nothing once used");
    }

    @Test
    void oneWithTheTokenButNotTheSourcesKeyGetsNothingAndTheGuestStaysWhole() throws Exception {
        Ref<VM> vm = guestOnA("FLOTILLA-MARKER-token-thief");
        MigrationPeer real = b.vmRuntime().migrationTarget();
        var thief = new String[1];
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                thief[0] = strangerClient(in, in.token());
                return in;
            }
        });
        ApiError e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
        assertEquals("nothing", thief[0], "B's QEMU refused the thief's TLS");
        assertEquals(a.host(), hosts.db.require(vm).get(VM.resident_on), "the guest stays on A");
        assertEquals("running", a.vmRuntime().domains().running(vm).qmp.execute("query-status").path("status").asText());
        PoolWaits.await(java.time.Duration.ofSeconds(30), "B to keep nothing of the attempt", () -> !b.vmRuntime().domains().contains(vm));

        a.vmRuntime().setMigrationPeers(h -> real);
        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        assertEquals(b.host(), hosts.db.require(vm).get(VM.resident_on), "without the thief it goes");
    }

    @Test
    void aSourceSendsOnlyToTheQemuHoldingTheKeyOfTheCertificateTheDestinationAnswered() throws Exception {
        Ref<VM> vm = guestOnA("FLOTILLA-MARKER-pinned");
        MigrationPeer real = b.vmRuntime().migrationTarget();
        String stranger = certificateOnly(HostCertificate.create(dir.resolve("stranger.pem"), "stranger", List.of()));
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                return new IncomingStream(in.address(), in.port(), in.token(), in.disksPort(), in.disks(), stranger);
            }
        });
        long t0 = System.nanoTime();
        ApiError e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        System.out.printf("MigrationOnTheWireTest: a destination QEMU without the key of the certificate answered failed the call in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
        assertEquals(a.host(), hosts.db.require(vm).get(VM.resident_on), "the guest stays on A");
        assertEquals("running", a.vmRuntime().domains().running(vm).qmp.execute("query-status").path("status").asText());
        assertFalse(b.vmRuntime().domains().contains(vm), "B kept nothing of the attempt");

        a.vmRuntime().setMigrationPeers(h -> real);
        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        assertEquals(b.host(), hosts.db.require(vm).get(VM.resident_on), "with the destination's own certificate it goes");
    }

    /** The certificate of a host's PEM file, without its key. */
    private static String certificateOnly(HostCertificate c) throws IOException {
        String pem = Files.readString(c.file());
        return pem.substring(pem.indexOf("-----BEGIN CERTIFICATE-----"));
    }

    /** An idle guest (no disk) started on A, the marker on its kernel command line. */
    private Ref<VM> guestOnA(String marker) throws Exception {
        Ref<VM> vm = hosts.newGuest("wire", "idle flotilla.marker=" + marker);
        a.vmRuntime().refreshAllowedOperations();
        call(a, "VM.start_on", sa, vm.value(), a.hostRef(), false, false);
        hosts.track(a.vmRuntime().pids().get(vm));
        Path serial = hosts.state(0).resolve("run").resolve(hosts.db.require(vm).get(VM.uuid)).resolve("serial.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(serial) && Files.readString(serial).contains("FLOTILLA-GUEST up"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the guest did not boot");
            Thread.sleep(100);
        }
        return vm;
    }

    /** Whether the guest's memory on {@code node} holds {@code marker}: QEMU saves its first 128 MiB in its run directory. */
    private static boolean inMemory(Node node, Ref<VM> vm, String marker) throws Exception {
        var d = node.vmRuntime().domains().running(vm);
        d.qmp.execute("pmemsave", Map.of("val", 0, "size", 128L << 20, "filename", "/vm/memory"));
        Path dump = d.runDir.resolve("memory");
        try (InputStream in = Files.newInputStream(dump)) {
            var search = new WireRecorder.Search(marker);
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) search.feed(buf, n);
            return search.found;
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    /** A client in clear that opens with {@code token}, then asks for more: what it got back. */
    private static String plainClient(IncomingStream in, String token) {
        try (Socket s = new Socket(in.address(), in.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write((token + "\nhello\n").getBytes(StandardCharsets.US_ASCII));
            return answer(s.getInputStream());
        } catch (IOException e) {
            return "nothing";
        }
    }

    /**
     * A TLS client with a certificate of its own that trusts anyone, opening with {@code token} (none: TLS at once):
     * what it got back through TLS.
     */
    private String strangerClient(IncomingStream in, String token) {
        var stranger = HostCertificate.create(dir.resolve("stranger-" + System.nanoTime() + ".pem"), "stranger", List.of());
        try (Socket tcp = new Socket(in.address(), in.port())) {
            tcp.setSoTimeout(15_000);
            if (token != null) tcp.getOutputStream().write((token + "\n").getBytes(StandardCharsets.US_ASCII));
            var context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            var keys = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            keys.init(stranger.keyStore(), stranger.keyStorePassword().toCharArray());
            context.init(keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {new TrustingAnyone()}, null);
            try (var s = (SSLSocket) context.getSocketFactory().createSocket(tcp, in.address(), in.port(), false)) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                return answer(s.getInputStream());
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            return "nothing";
        }
    }

    /** Trusts whatever certificate it is shown: a client that would talk to anyone. */
    private static final class TrustingAnyone implements javax.net.ssl.X509TrustManager {
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

        @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
    }

    /** What came back: nothing, TLS's refusal (an alert record), or data. */
    private static String answer(InputStream in) throws IOException {
        byte[] got = in.readAllBytes();
        return got.length == 0 ? "nothing" : got[0] == 0x15 ? "an alert" : got.length + " bytes";
    }
}

package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flotilla.CbtBlocks;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup as Xen Orchestra makes one with CBT, by clients not written here (QEMU's NBD client, in qemu-img and
 * qemu-io, over TLS checked against the certificate VDI.get_nbd_info gives; and Xen Orchestra's own, @vates/nbd-client): the whole of a first snapshot, then only
 * the blocks VDI.list_changed_blocks names between it and the next, read from the export of the second. The export
 * name's session is what lets a client in.
 */
@Slow
class NbdExportTest {
    static final int BLOCK = CbtBlocks.BLOCK;
    static final long SIZE = 64L << 20;
    static TestDaemon daemon;
    @TempDir Path dir;

    @BeforeAll
    static void start() throws Exception { daemon = new TestDaemon(); }

    @AfterAll
    static void stop() throws Exception { if (daemon != null) daemon.close(); }

    @Test
    void incrementalBackupReadsOnlyTheChangedBlocksOverTlsNbd() throws Exception {
        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        String sr = (String) daemon.rpc("pool.get_default_SR", pool);
        String vdi = (String) daemon.rpc("VDI.create", Map.of("name_label", "backed up", "SR", sr, "virtual_size", Long.toString(SIZE),
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
        byte[] data = new byte[(int) SIZE];
        new Random(16).nextBytes(data);
        Path raw = dir.resolve("in.raw");
        Files.write(raw, data);
        daemon.daemon.node().storage().importRaw(raw, VDI.CLASS.ref(vdi));
        daemon.rpc("VDI.enable_cbt", vdi);
        String s1 = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());

        // no network has an NBD purpose yet: nothing to connect to, as in XAPI
        assertEquals(List.of(), daemon.rpc("VDI.get_nbd_info", s1));
        String host = (String) ((List<?>) daemon.rpc("host.get_all")).getFirst();
        String pif = ((List<?>) daemon.rpc("host.get_PIFs", host)).stream().map(String.class::cast)
                .filter(p -> !((String) daemon.rpc("PIF.get_IP", p)).isEmpty()).findFirst().orElseThrow();
        String network = (String) daemon.rpc("PIF.get_network", pif);
        daemon.rpc("network.add_purpose", network, "nbd");
        try {
            List<?> infos = (List<?>) daemon.rpc("VDI.get_nbd_info", s1);
            assertFalse(infos.isEmpty());
            @SuppressWarnings("unchecked") Map<String, Object> info = (Map<String, Object>) infos.getFirst();
            assertEquals(daemon.rpc("PIF.get_IP", pif), info.get("address"));
            assertTrue(((String) info.get("exportname")).matches("/" + daemon.rpc("VDI.get_uuid", s1) + "\\?session_id=OpaqueRef:[-0-9a-f]+"),
                    (String) info.get("exportname"));
            assertTrue(((String) info.get("cert")).startsWith("-----BEGIN CERTIFICATE-----"));
            Path tls = Files.createDirectories(dir.resolve("tls"));
            Files.writeString(tls.resolve("ca-cert.pem"), (String) info.get("cert"));
            var server = new Server(((Number) info.get("port")).intValue(), (String) info.get("subject"), tls);

            // full backup of the first snapshot
            long t0 = System.nanoTime();
            Path full = dir.resolve("full.raw");
            run(List.of("qemu-img", "convert", "--object", server.tlsObject(), "-O", "raw", server.json((String) info.get("exportname")), full.toString()));
            long fullNanos = System.nanoTime() - t0;
            assertArrayEquals(data, Files.readAllBytes(full), "the export reads as the disk");

            // 1% of the disk's blocks change; the second snapshot is read only where the bitmap says
            Path top = daemon.daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image();
            int blocks = (int) (SIZE / BLOCK);
            var changed = new ArrayList<Integer>();
            for (int b = 3; changed.size() < blocks / 100; b += 97) changed.add(b % blocks);
            run(CbtBlocks.rewrite(top, changed));
            String s2 = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());
            List<Integer> listed = CbtBlocks.decode((String) daemon.rpc("VDI.list_changed_blocks", s1, s2));
            assertEquals(changed.stream().sorted().toList(), listed);

            @SuppressWarnings("unchecked") Map<String, Object> info2 = (Map<String, Object>) ((List<?>) daemon.rpc("VDI.get_nbd_info", s2)).getFirst();
            var reads = new ArrayList<>(List.of("qemu-io", "-r", "--object", server.tlsObject()));
            for (int b : listed) reads.addAll(List.of("-c", "read -P 0x5a " + (long) b * BLOCK + " " + BLOCK));
            reads.add(server.json((String) info2.get("exportname")));
            long t1 = System.nanoTime();
            String out = run(reads);
            long incrementalNanos = System.nanoTime() - t1;
            assertFalse(out.contains("Pattern verification failed"), out);
            assertEquals(listed.size(), out.lines().filter(l -> l.startsWith("read 65536/65536 bytes")).count(), out);
            System.out.printf("NBD backup of a %d MiB disk: full %d bytes in %d ms; after 1%% changed, %d bytes (%.2f%%) in %d ms%n",
                    SIZE >> 20, SIZE, fullNanos / 1_000_000, (long) listed.size() * BLOCK, 100.0 * listed.size() * BLOCK / SIZE,
                    incrementalNanos / 1_000_000);

            // Xen Orchestra's own NBD client reads the same: the whole first snapshot, then only the changed blocks
            Path cert = tls.resolve("ca-cert.pem");
            Path viaXo = dir.resolve("xo-full.raw");
            var xo = new ArrayList<>(List.of("node", "nbd-test.mjs", "127.0.0.1", String.valueOf(server.port())));
            String xoFull = XenOrchestraClientTest.run(concat(xo, (String) info.get("exportname"), cert.toString(), "full", viaXo.toString(), Long.toString(SIZE)), 120);
            assertTrue(xoFull.contains("NBD-CLIENT OK"), xoFull);
            assertArrayEquals(data, Files.readAllBytes(viaXo), "Xen Orchestra's client reads the disk as it is");
            String xoDelta = XenOrchestraClientTest.run(concat(xo, (String) info2.get("exportname"), cert.toString(), "blocks",
                    String.join(",", listed.stream().map(String::valueOf).toList()), "5a"), 120);
            assertTrue(xoDelta.contains("NBD-CLIENT OK"), xoDelta);

            // the export name is the key: another session's, a made-up one, or none at all is not let in
            String forged = ((String) info2.get("exportname")).replaceFirst("session_id=.*", "session_id=OpaqueRef:" + java.util.UUID.randomUUID());
            assertNotEquals(0, exit(List.of("qemu-img", "info", "--object", server.tlsObject(), server.json(forged))));
            assertEquals(0, exit(List.of("qemu-img", "info", "--object", server.tlsObject(), server.json((String) info2.get("exportname")))));
            assertNotEquals(0, exit(List.of("qemu-img", "info", server.json((String) info2.get("exportname")).replaceFirst(",\"tls-creds\":.*\"}}$", "}}"))),
                    "TLS is required");
            var rpc = daemon.daemon.node().rpc();
            String other = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", TestDaemon.PASSWORD)));
            @SuppressWarnings("unchecked") var otherInfo = (Map<String, Object>) ((List<?>) rpc.call("VDI.get_nbd_info", new ArrayList<>(List.of(other, s2)))).getFirst();
            assertEquals(0, exit(List.of("qemu-img", "info", "--object", server.tlsObject(), server.json((String) otherInfo.get("exportname")))));
            rpc.call("session.logout", new ArrayList<>(List.of(other)));
            assertNotEquals(0, exit(List.of("qemu-img", "info", "--object", server.tlsObject(), server.json((String) otherInfo.get("exportname")))),
                    "a session logged out lets nobody in");
            String listing = runMerged(List.of("qemu-nbd", "--list", "--object", server.tlsObject(), "--tls-creds", "tls0",
                    "--tls-hostname", server.subject, "-b", "127.0.0.1", "-p", Integer.toString(server.port)));
            assertFalse(listing.contains("session_id"), "no export names are listed: " + listing);
            assertTrue(listing.contains("exports are not listed"), "the server refused the listing: " + listing);
            // data_destroy leaves nothing to serve
            daemon.rpc("VDI.data_destroy", s1);
            assertEquals("VDI_INCOMPATIBLE_TYPE", failure("VDI.get_nbd_info", s1));
        } finally {
            daemon.rpc("network.remove_purpose", network, "nbd");
        }
    }

    /** The daemon's NBD server as QEMU's client is told of it: on loopback, its certificate trusted by itself. */
    record Server(int port, String subject, Path tlsDir) {
        String tlsObject() { return "tls-creds-x509,id=tls0,endpoint=client,sanity-check=off,dir=" + tlsDir; }

        String json(String export) {
            return "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"nbd\",\"server\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + port
                    + "\"},\"export\":\"" + export + "\",\"tls-creds\":\"tls0\",\"tls-hostname\":\"" + subject + "\"}}";
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        var all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    static String failure(String method, Object... params) {
        try {
            daemon.rpc(method, params);
        } catch (org.flotilla.model.ApiError e) {
            return e.code();
        }
        throw new AssertionError(method + " did not fail");
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    static int exit(List<String> cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    static String runMerged(List<String> cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }
}

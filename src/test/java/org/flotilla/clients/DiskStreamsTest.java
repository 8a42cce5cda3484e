package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.flotilla.CbtBlocks;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.runtime.TrustingTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disks streamed in and out over HTTP as XAPI serves them ({@code /import_raw_vdi}, {@code /export_raw_vdi}), on real
 * qcow2 VDIs of a daemon's local SR: Xen Orchestra's own client and vhd-lib (npm, pinned in clients/xo) write a sparse
 * VHD in and read one back; raw streams go both ways byte for byte, their zeros going in as holes; broken, oversized
 * and truncated streams are refused with their XenAPI error on the client's task and leave the VDI as it was; a client
 * that breaks off fails its task.
 */
@Slow
class DiskStreamsTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final long MIB = 1 << 20;
    static TestDaemon daemon;
    static HttpClient client;
    static String session;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isDirectory(XenOrchestraClientTest.CLIENT.resolve("node_modules/vhd-lib"))) {
            XenOrchestraClientTest.run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        }
        daemon = new TestDaemon();
        client = TrustingTls.httpClient();
        session = (String) daemon.daemon.node().rpc().call("session.login_with_password", new java.util.ArrayList<>(List.of("root", TestDaemon.PASSWORD)));
    }

    @AfterAll
    static void stop() throws Exception { if (daemon != null) daemon.close(); }

    static String newVdi(String name, long size) {
        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        String sr = (String) daemon.rpc("pool.get_default_SR", pool);
        return (String) daemon.rpc("VDI.create", Map.of("name_label", name, "SR", sr, "virtual_size", Long.toString(size), "type", "user",
                "sharable", false, "read_only", false, "other_config", Map.of()));
    }

    static String url(String path, String vdi, String format, String task) {
        return "https://127.0.0.1:" + daemon.daemon.httpsPort() + path + "?session_id=" + session + "&vdi=" + vdi
                + (format == null ? "" : "&format=" + format) + (task == null ? "" : "&task_id=" + task);
    }

    static HttpResponse<String> put(String vdi, String format, String task, byte[] body) throws Exception {
        var r = HttpRequest.newBuilder(URI.create(url("/import_raw_vdi", vdi, format, task))).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> get(String vdi, String format, String task) throws Exception {
        var r = HttpRequest.newBuilder(URI.create(url("/export_raw_vdi", vdi, format, task))).timeout(WAIT).build();
        return client.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    static String newTask() { return (String) daemon.rpc("task.create", "disk stream", ""); }

    static Map<String, Object> ended(String task) throws InterruptedException { return ended(daemon, task); }

    /** {@code task}'s record once it has ended (within {@link #WAIT}). */
    static Map<String, Object> ended(TestDaemon daemon, String task) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ("pending".equals(daemon.rpc("task.get_status", task))) {
            if (System.nanoTime() > deadline) throw new AssertionError("task " + task + " still pending");
            Thread.sleep(20);
        }
        return daemon.daemon.node().db().record("task", task);
    }

    static byte[] random(long n, long seed) {
        byte[] b = new byte[(int) n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Fills {@code vdi} with random bytes from {@code seed}, raw, and returns them. */
    static byte[] filled(String vdi, long size, long seed) throws Exception {
        byte[] bytes = random(size, seed);
        var reply = put(vdi, "raw", null, bytes);
        assertEquals(200, reply.statusCode(), reply.body());
        return bytes;
    }

    @Test
    void xenOrchestraWritesAVhdInAndReadsItBack() throws Exception {
        long size = 6 * MIB;
        String vdi = newVdi("xo vhd", size);
        String out = XenOrchestraClientTest.run(List.of("node", "vhd-test.mjs", daemon.url(), "root", TestDaemon.PASSWORD, vdi, Long.toString(size)), 120);
        assertTrue(out.contains("VHD-TEST OK"), out);
        assertTrue(out.contains("ok - VHD export read back by vhd-lib: byte for byte the disk"), out);
    }

    /**
     * Xen Orchestra's incremental backup on real data: a first snapshot exported whole as a VHD, 1% of the disk's 64 KiB
     * blocks rewritten in its top image by qemu-io, a second snapshot exported with base= the first; vhd-lib finds a
     * differencing disk of only the 2 MiB blocks holding those writes, and both ways of restoring (the chain merged by
     * vhd-lib, or the full then the delta imported onto one VDI) give the second snapshot byte for byte.
     */
    @Test
    void anIncrementalExportHoldsOnlyTheChangedBlocksAndRestores(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        long size = 64 * MIB;
        String vdi = newVdi("incremental", size);
        byte[] data = filled(vdi, size, 21);
        String s1 = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());
        Path top = daemon.daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image();
        int blocks = (int) (size / CbtBlocks.BLOCK);
        var changed = new ArrayList<Integer>();
        for (int b = 3; changed.size() < blocks / 100; b += 97) changed.add(b % blocks);
        NbdExportTest.run(CbtBlocks.rewrite(top, changed));
        String s2 = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());
        var vhdBlocks = new TreeSet<Integer>();
        for (int b : changed) vhdBlocks.add((int) ((long) b * CbtBlocks.BLOCK / (2 * MIB)));

        String out = XenOrchestraClientTest.run(List.of("node", "delta-test.mjs", daemon.url(), "root", TestDaemon.PASSWORD, s1, s2,
                newVdi("restored", size), newVdi("replica", size), Long.toString(size)), 120);
        assertTrue(out.contains("DELTA-TEST OK"), out);
        assertTrue(out.contains("DELTA-BLOCKS " + vhdBlocks.stream().map(String::valueOf).collect(Collectors.joining(",")) + "\n"), out);
        var sizes = Pattern.compile("full=(\\d+) delta=(\\d+)").matcher(out);
        assertTrue(sizes.find(), out);
        System.out.printf("incremental export of a %d MiB disk after %d of its %d 64 KiB blocks changed: full VHD %s bytes, delta VHD %s bytes (%d blocks of 2 MiB)%n",
                size / MIB, changed.size(), blocks, sizes.group(1), sizes.group(2), vhdBlocks.size());

        // raw relative to a base: the changed blocks, zeros elsewhere
        byte[] expected = new byte[(int) size];
        byte[] now = get(s2, "raw", null).body();
        for (int b : vhdBlocks) System.arraycopy(now, (int) (b * 2 * MIB), expected, (int) (b * 2 * MIB), (int) (2 * MIB));
        assertArrayEquals(expected, getRelative(s2, "raw", s1).body());
        // a base with no layer in common (here an empty disk): every block that holds data in either
        String unrelated = newVdi("unrelated", size);
        assertEquals(2048 + (size / (2 * MIB)) * (512 + 2 * MIB) + 512, getRelative(s2, "vhd", unrelated).body().length);
        // the base by uuid, as XAPI takes it; an unknown one
        assertEquals(getRelative(s2, "vhd", s1).body().length, getRelative(s2, "vhd", (String) daemon.rpc("VDI.get_uuid", s1)).body().length);
        assertEquals(404, getRelative(s2, "vhd", "00000000-0000-0000-0000-000000000000").statusCode());
        assertArrayEquals(data, get(s1, "raw", null).body(), "the first snapshot as it was");

        // qcow2, as Xen Orchestra asks of a disk whose image-format is qcow2: QEMU reads the full image as the first
        // snapshot, and the delta (the changed 64 KiB clusters alone) on top of it as the second
        Path full = dir.resolve("full.qcow2");
        Path delta = dir.resolve("delta.qcow2");
        Path second = dir.resolve("second.raw");
        Files.write(full, get(s1, "qcow2", null).body());
        Files.write(delta, getRelative(s2, "qcow2", s1).body());
        Files.write(second, now);
        NbdExportTest.run(List.of("qemu-img", "check", "-f", "qcow2", full.toString()));
        Path first = Files.write(dir.resolve("first.raw"), data);
        NbdExportTest.run(List.of("qemu-img", "compare", "-f", "qcow2", "-F", "raw", full.toString(), first.toString()));
        // header, L1 table, refcount table and block, one L2 table, then the ten clusters
        assertEquals((5 + changed.size()) * 65536L, Files.size(delta));
        System.out.printf("as qcow2: full %d bytes, delta %d bytes%n", Files.size(full), Files.size(delta));
        // it names the base by uuid; here the base is the full image beside it
        NbdExportTest.run(List.of("qemu-img", "rebase", "-u", "-f", "qcow2", "-b", full.toString(), "-F", "qcow2", delta.toString()));
        NbdExportTest.run(List.of("qemu-img", "check", "-f", "qcow2", delta.toString()));
        NbdExportTest.run(List.of("qemu-img", "compare", "-f", "qcow2", "-F", "raw", delta.toString(), second.toString()));

        // the same 1% written in one run, as a guest writing a file would: here within one 2 MiB block
        var run = new ArrayList<Integer>();
        for (int b = 100; run.size() < blocks / 100; b++) run.add(b);
        NbdExportTest.run(CbtBlocks.rewrite(top, run));
        String s3 = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());
        long together = getRelative(s3, "vhd", s2).body().length;
        assertEquals(2048 + (512 + 2 * MIB) + 512, together, "blocks 100 to 109 of 64 KiB lie in the 4th 2 MiB block, 96 to 127");
        System.out.printf("the same number of 64 KiB blocks written in one run: delta VHD %d bytes%n", together);
    }

    static HttpResponse<byte[]> getRelative(String vdi, String format, String base) throws Exception {
        var r = HttpRequest.newBuilder(URI.create(url("/export_raw_vdi", vdi, format, null) + "&base=" + base)).timeout(WAIT).build();
        return client.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void rawGoesInAndComesOutByteForByteUnderTheClientsTask() throws Exception {
        long size = 3 * MIB + 4096;
        String vdi = newVdi("raw", size);
        byte[] data = random(size, 1);
        importedUnderATask(vdi, "raw", data);

        String exportTask = newTask();
        var back = get((String) daemon.rpc("VDI.get_uuid", vdi), null, exportTask);
        assertEquals(200, back.statusCode());
        assertEquals("application/octet-stream", back.headers().firstValue("content-type").orElse(""));
        assertArrayEquals(data, back.body());
        assertEquals("success", ended(exportTask).get("status"));

        var vhd = get(vdi, "vhd", null);
        assertEquals(200, vhd.statusCode());
        assertEquals("application/vhd", vhd.headers().firstValue("content-type").orElse(""));
        // footer, header, a sector of table, two blocks (the last partial) of bitmap + 2 MiB each, footer
        assertEquals(512 + 1024 + 512 + 2 * (512 + 2 * MIB) + 512, vhd.body().length);
        assertEquals("conectix", new String(vhd.body(), 0, 8, StandardCharsets.US_ASCII));

        // and back in: a VHD of ours goes into another VDI
        String copy = newVdi("raw copy", size);
        assertEquals(200, put(copy, "vhd", null, vhd.body()).statusCode());
        assertArrayEquals(data, get(copy, "raw", null).body());

        assertEquals(404, get(vdi, "qcow3", null).statusCode());
        var anonymous = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.daemon.httpsPort() + "/export_raw_vdi?vdi=" + vdi))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        // HTTP Basic authentication, as XAPI's handlers take it: logged in for the request alone
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("root:" + TestDaemon.PASSWORD).getBytes(StandardCharsets.UTF_8));
        int sessions = daemon.daemon.node().db().where("session", o -> true).size();
        var byPassword = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.daemon.httpsPort() + "/export_raw_vdi?vdi=" + vdi))
                .header("Authorization", basic).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, byPassword.statusCode());
        assertArrayEquals(data, byPassword.body());
        // logged out once the handler returns, which may be just after the client has read the last byte
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (daemon.daemon.node().db().where("session", o -> true).size() != sessions && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(sessions, daemon.daemon.node().db().where("session", o -> true).size(), "the request's session logged out");
        var wrongPassword = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.daemon.httpsPort() + "/export_raw_vdi?vdi=" + vdi))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("root:wrong".getBytes(StandardCharsets.UTF_8)))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrongPassword.statusCode());
    }

    /** Imports {@code body} of {@code format} into {@code vdi} under a task of the client's, which succeeds with progress 1 and the VDI. */
    static void importedUnderATask(String vdi, String format, byte[] body) throws Exception {
        String task = newTask();
        var reply = put(vdi, format, task, body);
        assertEquals(200, reply.statusCode(), reply.body());
        var t = ended(task);
        assertEquals("success", t.get("status"), t.toString());
        assertEquals(1.0, t.get("progress"));
        assertTrue(String.valueOf(t.get("result")).contains(vdi), t.toString());
    }

    /**
     * Zeros in a raw stream go in as holes, not data: over a disk full of other bytes they read back as zeros (and the
     * VHD export, which sends only blocks that hold data, leaves them out), and into a new disk they leave it sparse.
     */
    @Test
    void zerosGoInAsHolesOverWhatWasThereAndLeaveANewDiskSparse(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        long size = 16 * MIB;
        String vdi = newVdi("zeros over data", size);
        filled(vdi, size, 7);
        byte[] holes = new byte[(int) size];
        // data in the first block and straddling the last two, zeros between: not on a cluster's bounds
        System.arraycopy(random(MIB + 4096, 8), 0, holes, 0, (int) MIB + 4096);
        System.arraycopy(random(MIB, 9), 0, holes, (int) (13 * MIB + 512), (int) MIB);
        assertEquals(200, put(vdi, "raw", null, holes).statusCode());
        assertArrayEquals(holes, get(vdi, "raw", null).body());
        // footer, header, a sector of table, three blocks of bitmap + 2 MiB (0, 6 and 7), footer
        assertEquals(512 + 1024 + 512 + 3 * (512 + 2 * MIB) + 512, get(vdi, "vhd", null).body().length);

        long big = 1024 * MIB;
        String sparse = newVdi("sparse", big);
        java.nio.file.Path raw = files.resolve("sparse.raw");
        try (var f = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(random(2 * MIB, 10)), 512 * MIB);
            f.truncate(big);
            f.write(java.nio.ByteBuffer.wrap(new byte[1]), big - 1);
        }
        var reply = client.send(HttpRequest.newBuilder(URI.create(url("/import_raw_vdi", sparse, "raw", null))).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofFile(raw)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reply.statusCode(), reply.body());
        long used = Long.parseLong(String.valueOf(daemon.rpc("VDI.get_physical_utilisation", sparse)));
        assertTrue(used < 16 * MIB, "a 1 GiB import of 2 MiB of data takes " + used + " bytes");
        var vhd = get(sparse, "vhd", null);
        assertEquals(512 + 1024 + 2048 + (512 + 2 * MIB) + 512, vhd.body().length); // a table of 512 entries
    }

    /** A snapshot taken while an import runs keeps the disk as it was, and the import is refused rather than written into it. */
    @Test
    void aSnapshotDuringAnImportWinsOverIt() throws Exception {
        long size = 4 * MIB;
        String vdi = newVdi("snapshotted", size);
        byte[] kept = filled(vdi, size, 9);
        String task = newTask();
        String status;
        String snapshot;
        try (var socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket("127.0.0.1", daemon.daemon.httpsPort())) {
            OutputStream out = socket.getOutputStream();
            String target = url("/import_raw_vdi", vdi, "raw", task).replaceFirst("https://[^/]+", "");
            out.write(("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] body = random(size, 10);
            out.write(body, 0, (int) size / 2);
            out.flush();
            Thread.sleep(500);
            snapshot = (String) daemon.rpc("VDI.snapshot", vdi, Map.of());
            out.write(body, (int) size / 2, (int) size / 2);
            out.flush();
            status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
        assertEquals("HTTP/1.1 409", status);
        assertEquals("OTHER_OPERATION_IN_PROGRESS", ((List<?>) ended(task).get("error_info")).getFirst());
        assertArrayEquals(kept, get(vdi, "raw", null).body(), "the VDI as it was");
        assertArrayEquals(kept, get(snapshot, "raw", null).body(), "its snapshot as the VDI was");
    }

    /** A running VM's disk: exported as it is, not overwritten under the VM (VDI_IN_USE). */
    @Test
    void aRunningVmsDiskIsExportedButNotOverwritten() throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("streams"));
        daemon.rpc("VM.start", vm, false, false);
        try {
            String vdi = ((List<?>) daemon.rpc("VM.get_VBDs", vm)).stream().map(b -> (String) daemon.rpc("VBD.get_VDI", b))
                    .filter(v -> !v.equals("OpaqueRef:NULL")).findFirst().orElseThrow();
            long size = Long.parseLong(String.valueOf(daemon.rpc("VDI.get_virtual_size", vdi)));
            var raw = get(vdi, "raw", null);
            assertEquals(200, raw.statusCode());
            assertEquals(size, raw.body().length);
            String task = newTask();
            var reply = put(vdi, "raw", task, new byte[4096]);
            assertEquals(409, reply.statusCode(), reply.body());
            assertEquals(List.of("VDI_IN_USE", vdi, "import"), ended(task).get("error_info"));
        } finally {
            daemon.rpc("VM.hard_shutdown", vm);
        }
    }

    /** A VDI on an SR only another host has plugged is served there: the client is sent on (302), as XAPI does. */
    @Test
    void aDiskOnAnotherHostsSrIsRedirectedThere() throws Exception {
        var db = daemon.daemon.node().db();
        var host = org.flotilla.model.xenapi.Host.CLASS.ref("OpaqueRef:" + java.util.UUID.randomUUID());
        var sr = org.flotilla.model.xenapi.SR.CLASS.ref("OpaqueRef:" + java.util.UUID.randomUUID());
        var pbd = org.flotilla.model.xenapi.PBD.CLASS.ref("OpaqueRef:" + java.util.UUID.randomUUID());
        var vdi = org.flotilla.model.xenapi.VDI.CLASS.ref("OpaqueRef:" + java.util.UUID.randomUUID());
        db.write(tx -> {
            tx.put(host, db.newRecord(org.flotilla.model.xenapi.Host.CLASS).set(org.flotilla.model.xenapi.Host.address, "192.0.2.7")
                    .set(org.flotilla.model.xenapi.Host.uuid, java.util.UUID.randomUUID().toString()));
            tx.put(sr, db.newRecord(org.flotilla.model.xenapi.SR.CLASS).set(org.flotilla.model.xenapi.SR.uuid, java.util.UUID.randomUUID().toString()));
            tx.put(pbd, db.newRecord(org.flotilla.model.xenapi.PBD.CLASS).set(org.flotilla.model.xenapi.PBD.SR, sr)
                    .set(org.flotilla.model.xenapi.PBD.host, host).set(org.flotilla.model.xenapi.PBD.currently_attached, true));
            tx.put(vdi, db.newRecord(org.flotilla.model.xenapi.VDI.CLASS).set(org.flotilla.model.xenapi.VDI.SR, sr)
                    .set(org.flotilla.model.xenapi.VDI.virtual_size, MIB).set(org.flotilla.model.xenapi.VDI.uuid, java.util.UUID.randomUUID().toString()));
        });
        try {
            var export = get(vdi.value(), "vhd", null);
            assertEquals(302, export.statusCode());
            assertEquals("https://192.0.2.7:" + daemon.daemon.httpsPort() + "/export_raw_vdi?session_id=" + session + "&vdi=" + vdi.value() + "&format=vhd",
                    export.headers().firstValue("location").orElse(""));
            var imported = put(vdi.value(), "raw", null, new byte[512]);
            assertEquals(302, imported.statusCode());
            assertTrue(imported.headers().firstValue("location").orElse("").startsWith("https://192.0.2.7:"), imported.headers().toString());
        } finally {
            db.write(tx -> List.of(vdi, pbd, sr, host).forEach(tx::delete));
        }
    }

    /** xe vdi-import and vdi-export, as from another machine: the host leaves the file to xe, which streams it itself. */
    @Test
    void xeSendsAndWritesTheUsersFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        long size = 2 * MIB + 512;
        String vdi = newVdi("xe", size);
        String uuid = (String) daemon.rpc("VDI.get_uuid", vdi);
        byte[] data = random(size, 7);
        var raw = files.resolve("disk.raw");
        Files.write(raw, data);
        succeeds(xe(List.of("vdi-import", "uuid=" + uuid, "filename=" + raw)), "import");
        var vhd = files.resolve("disk.vhd");
        succeeds(xe(List.of("vdi-export", "uuid=" + uuid, "filename=" + vhd, "format=vhd")), "export");
        String copy = (String) daemon.rpc("VDI.get_uuid", newVdi("xe copy", size));
        succeeds(xe(List.of("vdi-import", "uuid=" + copy, "filename=" + vhd, "format=vhd")), "import of the VHD");
        var back = files.resolve("back.raw");
        succeeds(xe(List.of("vdi-export", "uuid=" + copy, "filename=" + back)), "export of the copy");
        assertArrayEquals(data, Files.readAllBytes(back));

        Files.write(raw, random(size + 1024, 8));
        var tooLarge = xe(List.of("vdi-import", "uuid=" + uuid, "filename=" + raw));
        assertEquals(1, tooLarge.code());
        assertTrue(tooLarge.err().contains("VDI_TOO_SMALL"), tooLarge.err());
    }

    /**
     * xe vdi-import and vdi-export on the host itself, with no server named and no password: the daemon's socket hands
     * the command back to xe with its HTTPS port and a session of its own making, which xe ends when it is done.
     */
    @Test
    void xeOnTheHostsOwnSocketSendsTheUsersFilesToItsPortInASessionItMade(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        long size = MIB + 4096;
        String uuid = (String) daemon.rpc("VDI.get_uuid", newVdi("xe on the socket", size));
        byte[] data = random(size, 11);
        var raw = files.resolve("disk.raw");
        Files.write(raw, data);
        int sessions = daemon.daemon.node().db().where("session", o -> true).size();
        succeeds(xeLocal(List.of("vdi-import", "uuid=" + uuid, "filename=" + raw)), "import");
        var back = files.resolve("back.raw");
        succeeds(xeLocal(List.of("vdi-export", "uuid=" + uuid, "filename=" + back)), "export");
        assertArrayEquals(data, Files.readAllBytes(back));
        assertEquals(sessions, daemon.daemon.node().db().where("session", o -> true).size(), "the sessions made for xe are ended");
    }

    /** Runs xe on the daemon's host as its user: no server named, so over the daemon's own socket. */
    static XeRun xeLocal(List<String> command) { return xeRun(command, Map.of("FLOTILLA_STATE", daemon.stateDir.toString())); }

    static void succeeds(XeRun run, String what) { assertEquals(0, run.code(), () -> what + ": " + run.err()); }

    record XeRun(int code, String out, String err) {}

    static XeRun xe(List<String> command) { return xe(daemon, command); }

    /** Runs xe against {@code daemon} as root, over its HTTPS port as from another machine. */
    static XeRun xe(TestDaemon daemon, List<String> command) {
        var args = new java.util.ArrayList<>(List.of("-s", "127.0.0.1", "-p", String.valueOf(daemon.daemon.httpsPort()), "-u", "root", "-pw", TestDaemon.PASSWORD));
        args.addAll(command);
        return xeRun(args, Map.of());
    }

    /** xe's whole run with these words and environment, its streams caught. */
    private static XeRun xeRun(List<String> args, Map<String, String> env) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code = org.flotilla.cli.XeClient.run(args, env, null, new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new XeRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badStreamsAreRefusedAndLeaveTheVdiAsItWas() throws Exception {
        long size = 4 * MIB;
        String vdi = newVdi("kept", size);
        byte[] kept = filled(vdi, size, 2);
        byte[] goodVhd = get(vdi, "vhd", null).body();
        assertArrayEquals(kept, get(vdi, "raw", null).body());
        String other = newVdi("other", size);
        filled(other, size, 3);
        byte[] otherVhd = get(other, "vhd", null).body();

        byte[] brokenFooter = otherVhd.clone();
        brokenFooter[48] ^= 1; // the current size, under the footer's checksum
        refused(vdi, "vhd", brokenFooter, "IMPORT_ERROR", kept);

        byte[] brokenLastFooter = otherVhd.clone();
        brokenLastFooter[brokenLastFooter.length - 400] ^= 1;
        refused(vdi, "vhd", brokenLastFooter, "IMPORT_ERROR", kept);

        refused(vdi, "vhd", Arrays.copyOf(otherVhd, otherVhd.length - 3 * (int) MIB / 2), "IMPORT_ERROR_PREMATURE_EOF", kept);
        refused(vdi, "raw", random(size + 512, 4), "VDI_TOO_SMALL", kept);

        String larger = newVdi("larger", 8 * MIB);
        byte[] beyond = new byte[(int) (8 * MIB)];
        Arrays.fill(beyond, (int) (6 * MIB), (int) (6 * MIB + 4096), (byte) 7);
        assertEquals(200, put(larger, "raw", null, beyond).statusCode());
        refused(vdi, "vhd", get(larger, "vhd", null).body(), "VDI_TOO_SMALL", kept);

        refused(vdi, "raw", "not even a VHD".getBytes(StandardCharsets.US_ASCII), null, null); // raw takes any bytes...
        assertEquals(200, put(vdi, "raw", null, kept).statusCode()); // ...so the disk is written back
        refused(vdi, "vhd", "not even a VHD, and long enough to hold a footer's 512 bytes".repeat(10).getBytes(StandardCharsets.US_ASCII), "IMPORT_ERROR", kept);
        assertEquals(200, put(vdi, "vhd", null, goodVhd).statusCode());
        assertArrayEquals(kept, get(vdi, "raw", null).body());
    }

    /** The import is refused with {@code code} on its task and as its reply, and the VDI still holds {@code kept}. */
    static void refused(String vdi, String format, byte[] body, String code, byte[] kept) throws Exception {
        String task = newTask();
        var reply = put(vdi, format, task, body);
        if (code == null) {
            assertEquals(200, reply.statusCode(), reply.body());
            return;
        }
        assertEquals(400, reply.statusCode(), reply.body());
        assertTrue(reply.body().startsWith(code), reply.body());
        var t = ended(task);
        assertEquals("failure", t.get("status"));
        assertEquals(code, ((List<?>) t.get("error_info")).getFirst(), t.toString());
        assertArrayEquals(kept, get(vdi, "raw", null).body(), "the VDI as it was after " + code);
    }

    @Test
    void aClientBreakingOffFailsItsTaskAndLeavesTheVdi() throws Exception {
        long size = 4 * MIB;
        String vdi = newVdi("broken off", size);
        byte[] kept = filled(vdi, size, 5);
        brokenOff(vdi, "raw", size, random(size / 2, 6), "IMPORT_ERROR_PREMATURE_EOF", kept);
    }

    /**
     * SR.scan removes temporaries as a crash's leftovers: not the overlay of an import that is still coming in, which a
     * scan in its midst would have taken from under it (the import then failed at its commit).
     */
    @Test
    void aScanInTheMidstOfAnImportLeavesItsOverlay() throws Exception {
        String vdi = newVdi("scanned while imported", 4 * MIB);
        byte[] data = random(4 * MIB, 23);
        importPausingHalfway(vdi, "raw", data, () -> daemon.rpc("SR.scan", daemon.rpc("VDI.get_SR", vdi)));
        assertArrayEquals(data, get(vdi, "raw", null).body());
    }

    /**
     * An import into a disk that holds nothing yet writes an image that takes the disk's place, not one copied into it;
     * if the disk was written meanwhile after all (here by qemu-io, as a VM started and stopped on it would), what the
     * import did not write keeps those writes.
     */
    @Test
    void anImportIntoADiskWrittenMeanwhileKeepsThoseWrites(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String vdi = newVdi("written while imported", 16 * MIB);
        byte[] head = random(MIB, 29);
        Path raw = dir.resolve("head.raw");
        Files.write(raw, Arrays.copyOf(head, (int) (16 * MIB)));
        Path vhd = dir.resolve("head.vhd");
        NbdExportTest.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw.toString(), vhd.toString()));
        Path top = daemon.daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image();
        importPausingHalfway(vdi, "vhd", Files.readAllBytes(vhd), () -> {
            try {
                NbdExportTest.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x77 8M 1M", top.toString()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        byte[] now = get(vdi, "raw", null).body();
        assertArrayEquals(head, Arrays.copyOf(now, (int) MIB), "the import's data");
        byte[] meanwhile = new byte[(int) MIB];
        Arrays.fill(meanwhile, (byte) 0x77);
        assertArrayEquals(meanwhile, Arrays.copyOfRange(now, (int) (8 * MIB), (int) (9 * MIB)), "the writes made meanwhile");
    }

    /** Sends {@code body} in two halves with {@code meanwhile} run between them, the import's task then a success. */
    static void importPausingHalfway(String vdi, String format, byte[] body, Runnable meanwhile) throws Exception {
        String task = newTask();
        try (var socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket("127.0.0.1", daemon.daemon.httpsPort())) {
            OutputStream out = socket.getOutputStream();
            String target = url("/import_raw_vdi", vdi, format, task).replaceFirst("https://[^/]+", "");
            out.write(("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            Thread.sleep(500); // the import has made its overlay and is writing into it
            meanwhile.run();
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            var t = ended(task);
            assertEquals("success", t.get("status"), t.toString());
        }
    }

    /**
     * A client declares {@code declared} bytes of {@code format}, sends {@code sent} and goes: its task fails with
     * {@code code} and the VDI still holds {@code kept}.
     */
    static void brokenOff(String vdi, String format, long declared, byte[] sent, String code, byte[] kept) throws Exception {
        String task = newTask();
        try (var socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket("127.0.0.1", daemon.daemon.httpsPort())) {
            OutputStream out = socket.getOutputStream();
            String target = url("/import_raw_vdi", vdi, format, task).replaceFirst("https://[^/]+", "");
            out.write(("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(sent);
            out.flush();
            Thread.sleep(300);
        }
        var t = ended(task);
        assertEquals("failure", t.get("status"));
        assertEquals(code, ((List<?>) t.get("error_info")).getFirst(), t.toString());
        assertArrayEquals(kept, get(vdi, "raw", null).body());
    }
}

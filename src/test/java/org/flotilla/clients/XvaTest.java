package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import org.flotilla.Slow;
import org.flotilla.runtime.TrustingTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole VMs in and out as XAPI's XVA ({@code GET /export}, {@code PUT /import}), on a daemon's local SR: the test
 * guest, its 64 MiB disk marked here and there, exported (sparse: only the chunks that hold data) and imported as a new
 * VM that boots and holds the same disk; gzip both ways; ova.xml alone; and packages broken each way a client or a
 * network can break them — a wrong checksum, a stream cut short, a disk ova.xml names but the package lacks, a chunk
 * larger than it may be, data for a disk ova.xml does not name — each refused with an IMPORT_ERROR on the client's
 * task, leaving no VM and no VDI behind.
 */
@Slow
class XvaTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final long MIB = 1 << 20;
    static TestDaemon daemon;
    static HttpClient client;
    static String session;
    static String source;
    static byte[] sourceDisk;
    static byte[] xva;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        client = TrustingTls.httpClient();
        session = (String) daemon.daemon.node().rpc().call("session.login_with_password", new ArrayList<>(List.of("root", TestDaemon.PASSWORD)));
        source = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("xva source"));
        String vdi = diskOf(source);
        // data in the first 2 MiB and in one chunk further on; the rest of the 64 MiB stays unallocated
        byte[] head = new byte[(int) (2 * MIB + 512)];
        new java.util.Random(7).nextBytes(head);
        var put = HttpRequest.newBuilder(URI.create(url("/import_raw_vdi?vdi=" + vdi))).timeout(WAIT).PUT(HttpRequest.BodyPublishers.ofByteArray(head)).build();
        assertEquals(200, client.send(put, HttpResponse.BodyHandlers.ofString()).statusCode());
        sourceDisk = rawOf(vdi);
        xva = send(get("/export?uuid=" + daemon.rpc("VM.get_uuid", source), null)).body();
    }

    @AfterAll
    static void stop() throws Exception { if (daemon != null) daemon.close(); }

    static String diskOf(String vm) {
        return ((List<?>) daemon.rpc("VM.get_VBDs", vm)).stream().map(b -> (String) daemon.rpc("VBD.get_VDI", b))
                .filter(v -> !v.equals("OpaqueRef:NULL")).findFirst().orElseThrow();
    }

    static byte[] rawOf(String vdi) throws Exception {
        var r = send(get("/export_raw_vdi?vdi=" + vdi, null));
        assertEquals(200, r.statusCode());
        return r.body();
    }

    static String url(String pathAndQuery) {
        return "https://127.0.0.1:" + daemon.daemon.httpsPort() + pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "session_id=" + session;
    }

    static HttpRequest get(String pathAndQuery, String task) {
        return HttpRequest.newBuilder(URI.create(url(pathAndQuery) + (task == null ? "" : "&task_id=" + task))).timeout(WAIT).build();
    }

    static HttpResponse<byte[]> send(HttpRequest r) throws Exception { return client.send(r, HttpResponse.BodyHandlers.ofByteArray()); }

    static HttpResponse<String> importing(byte[] body, String task) throws Exception { return importing(body, task, ""); }

    static HttpResponse<String> importing(byte[] body, String task, String query) throws Exception {
        var r = HttpRequest.newBuilder(URI.create(url("/import/?" + query + "task_id=" + task))).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, Object> ended(String task) throws InterruptedException { return DiskStreamsTest.ended(daemon, task); }

    static String newTask() { return (String) daemon.rpc("task.create", "xva", ""); }

    /** What a failed import could leave: VMs and VDIs, counted. */
    static List<Integer> counts() {
        return List.of(((Map<?, ?>) daemon.rpc("VM.get_all_records")).size(), ((Map<?, ?>) daemon.rpc("VDI.get_all_records")).size());
    }

    @Test
    void aVmExportedAndImportedBootsWithTheSameDisk() throws Exception {
        var entries = Tar.read(xva);
        assertEquals("ova.xml", entries.getFirst().name());
        String ova = new String(entries.getFirst().data(), StandardCharsets.UTF_8);
        assertTrue(ova.contains("<name>export_vsn</name>") && ova.contains("xva source"), ova);
        var chunks = entries.stream().filter(e -> e.name().matches("Ref:\\d+/\\d{8}")).map(Tar.Entry::name).toList();
        // sparse: the three chunks that hold data and the last, not the 64 of the disk
        assertEquals(4, chunks.size(), chunks.toString());
        assertTrue(chunks.getLast().endsWith("/00000063"), chunks.toString());
        assertEquals(chunks.size(), entries.stream().filter(e -> e.name().endsWith(".checksum")).count());

        String task = newTask();
        var reply = importing(xva, task);
        assertEquals(200, reply.statusCode(), reply.body());
        var t = ended(task);
        assertEquals("success", t.get("status"), t.toString());
        String result = String.valueOf(t.get("result"));
        assertTrue(result.startsWith("<value><array><data><value>OpaqueRef:"), result);
        String vm = result.substring(result.indexOf("OpaqueRef:"), result.indexOf("</value>", result.indexOf("OpaqueRef:")));
        assertNotEquals(source, vm);
        assertEquals("xva source", daemon.rpc("VM.get_name_label", vm));
        assertNotEquals(daemon.rpc("VM.get_uuid", source), daemon.rpc("VM.get_uuid", vm));
        String disk = diskOf(vm);
        assertNotEquals(diskOf(source), disk);
        assertArrayEquals(sourceDisk, rawOf(disk), "the imported disk is the exported one");

        booted(vm);
    }

    /** Starts {@code vm}, waits for the test guest's line on its serial console, and stops it. */
    static void booted(String vm) throws Exception { booted(daemon, vm); }

    static void booted(TestDaemon daemon, String vm) throws Exception {
        daemon.rpc("VM.start", vm, false, false);
        try {
            var serial = daemon.stateDir.resolve("run").resolve((String) daemon.rpc("VM.get_uuid", vm)).resolve("serial.log");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!(Files.exists(serial) && Files.readString(serial).contains("FLOTILLA-GUEST up"))) {
                if (System.nanoTime() > deadline) throw new AssertionError("the imported VM did not boot: " + (Files.exists(serial) ? Files.readString(serial) : "no serial log"));
                Thread.sleep(100);
            }
        } finally {
            if (!"Halted".equals(daemon.rpc("VM.get_power_state", vm))) daemon.rpc("VM.hard_shutdown", vm);
        }
    }

    /**
     * Xen Orchestra's own XVA writer (@xen-orchestra/xva, npm): its package, xxhash sums and all, makes a VM that boots;
     * its xen-api client exports it back as Xen Orchestra's VM export asks.
     */
    @Test
    void xenOrchestraWritesAVmThatBoots(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        if (!Files.isDirectory(XenOrchestraClientTest.CLIENT.resolve("node_modules/@xen-orchestra/xva"))) {
            XenOrchestraClientTest.run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        }
        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        String sr = (String) daemon.rpc("pool.get_default_SR", pool);
        String network = (String) ((List<?>) daemon.rpc("network.get_all")).getFirst();
        var template = (Map<?, ?>) daemon.rpc("VM.get_record", source);
        long size = 5 * MIB + 4096;
        String out = XenOrchestraClientTest.run(List.of("node", "xva-test.mjs", daemon.url(), "root", TestDaemon.PASSWORD, sr, network,
                Long.toString(size), (String) template.get("PV_kernel"), (String) template.get("PV_ramdisk"), (String) template.get("PV_args"), files.resolve("disk.bin").toString()), 120);
        assertTrue(out.contains("XVA-TEST OK OpaqueRef:"), out);
        // the chunks that hold data (0 and 3) and the last, each with its sum; the disk is the third object, after VM and VBD
        assertTrue(out.contains("ok - exported: ova.xml Ref:2/00000000 Ref:2/00000000.checksum Ref:2/00000003 Ref:2/00000003.checksum "
                + "Ref:2/00000005 Ref:2/00000005.checksum"), out);
        String vm = out.substring(out.indexOf("XVA-TEST OK ") + 12).strip();
        assertEquals("written by xo", daemon.rpc("VM.get_name_label", vm));
        assertEquals(1, ((List<?>) daemon.rpc("VM.get_VIFs", vm)).size());
        byte[] written = Files.readAllBytes(files.resolve("disk.bin"));
        byte[] imported = rawOf(diskOf(vm));
        // Xen Orchestra rounds the disk up to whole chunks
        assertEquals(6 * MIB, imported.length);
        assertArrayEquals(written, Arrays.copyOf(imported, written.length), "the disk as Xen Orchestra wrote it");
        booted(vm);
    }

    /**
     * An export that fails once its body has begun (here its task cancelled mid-stream) must not reach the client as a
     * whole package: its body has no length, so it is cut off without its last chunk, and the client's read fails.
     */
    @Test
    void anExportCutShortIsNoWholePackageToTheClient() throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("xva cut short"));
        byte[] data = new byte[(int) (48 * MIB)];
        new java.util.Random(11).nextBytes(data);
        var put = HttpRequest.newBuilder(URI.create(url("/import_raw_vdi?vdi=" + diskOf(vm)))).timeout(WAIT).PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build();
        assertEquals(200, client.send(put, HttpResponse.BodyHandlers.ofString()).statusCode());
        String task = newTask();
        var r = client.send(get("/export?uuid=" + daemon.rpc("VM.get_uuid", vm), task), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (var in = r.body()) {
            assertEquals(1024, in.readNBytes(1024).length);
            daemon.rpc("task.cancel", task);
            assertThrows(java.io.IOException.class, () -> in.readAllBytes(), "the body ends cut, not whole");
        }
        assertEquals("cancelled", ended(task).get("status"));
        daemon.rpc("VM.destroy", vm);
    }

    /** xe vm-export and vm-import, as from another machine: xe streams the user's file itself and prints the new VM. */
    @Test
    void xeExportsAndImportsTheUsersFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        var file = files.resolve("vm.xva");
        var export = xe("vm-export", "vm=" + daemon.rpc("VM.get_uuid", source), "filename=" + file, "compress=zstd");
        assertEquals(0, export.code(), export.err());
        assertArrayEquals(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, Arrays.copyOf(Files.readAllBytes(file), 4), "a zstd frame, as XCP-ng's xe writes");
        var unknown = xe("vm-export", "vm=" + daemon.rpc("VM.get_uuid", source), "filename=" + files.resolve("other.xva"), "compress=lz4");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("compress="), unknown.err());
        String sr = (String) daemon.rpc("SR.get_uuid", daemon.rpc("pool.get_default_SR", ((List<?>) daemon.rpc("pool.get_all")).getFirst()));
        var imported = xe("vm-import", "filename=" + file, "sr-uuid=" + sr);
        assertEquals(0, imported.code(), imported.err());
        String vm = (String) daemon.rpc("VM.get_by_uuid", imported.out().strip());
        assertArrayEquals(sourceDisk, rawOf(diskOf(vm)));
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 5000));
        var refused = xe("vm-import", "filename=" + file);
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("IMPORT_ERROR"), refused.err());
    }

    static DiskStreamsTest.XeRun xe(String... command) { return DiskStreamsTest.xe(daemon, List.of(command)); }

    /**
     * Xen Orchestra's full backup of a running VM through its xen-api client: a snapshot, the snapshot exported as a
     * zstd-compressed XVA, the snapshot destroyed; the package, read back by Debian's zstd, imports as a VM of its own
     * (not a snapshot) with the disk byte for byte, which boots.
     */
    @Test
    void xenOrchestrasFullBackupOfARunningVmRestores(@org.junit.jupiter.api.io.TempDir java.nio.file.Path files) throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("xo full backup"));
        byte[] disk = rawOf(diskOf(vm));
        String sr = (String) daemon.rpc("pool.get_default_SR", ((List<?>) daemon.rpc("pool.get_all")).getFirst());
        daemon.rpc("VM.start", vm, false, false);
        List<Integer> before = List.of(counts().getFirst(), managedVdis());
        String out;
        try {
            out = XenOrchestraClientTest.run(List.of("node", "full-backup-test.mjs", daemon.url(), "root", TestDaemon.PASSWORD, vm, sr,
                    files.resolve("backup.xva").toString()), 120);
        } finally {
            daemon.rpc("VM.hard_shutdown", vm);
        }
        assertTrue(out.contains("FULL-BACKUP-TEST OK OpaqueRef:"), out);
        String[] result = out.substring(out.indexOf("FULL-BACKUP-TEST OK ") + 20).strip().split(" ");
        String restored = result[0];
        byte[] pkg = Files.readAllBytes(files.resolve("backup.xva"));
        assertEquals("28b52ffd", java.util.HexFormat.of().formatHex(pkg, 0, 4), "a zstd frame");
        var entries = Tar.read(unzstd(pkg));
        assertEquals("ova.xml", entries.getFirst().name());
        System.out.printf("full backup of the %d MiB test guest: %d bytes as zstd, %d as a plain XVA%n", disk.length / MIB, pkg.length, Tar.write(entries).length);

        // the snapshot's base copy stays, unmanaged, as XAPI's SM keeps one until it coalesces
        assertEquals(List.of(before.get(0) + 1, before.get(1) + 1), List.of(counts().getFirst(), managedVdis()),
                "the restored VM and its disk; the snapshot gone with its disk");
        assertEquals(false, daemon.rpc("VM.get_is_a_snapshot", restored));
        assertEquals("[XO Export] xo full backup", daemon.rpc("VM.get_name_label", restored));
        assertArrayEquals(disk, rawOf(diskOf(restored)), "the restored disk is the snapshot's");
        booted(restored);
    }

    static int managedVdis() {
        return (int) ((Map<?, ?>) daemon.rpc("VDI.get_all_records")).values().stream().filter(r -> Boolean.TRUE.equals(((Map<?, ?>) r).get("managed"))).count();
    }

    /** Debian's zstd program decompressing {@code compressed}: a reader that is not this daemon's. */
    static byte[] unzstd(byte[] compressed) throws Exception {
        Process p = new ProcessBuilder("zstd", "-q", "-d", "-c").start();
        var feed = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(compressed);
            } catch (IOException e) {
                // zstd's exit says what went wrong
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        feed.join();
        assertEquals(0, p.waitFor());
        return out;
    }

    /**
     * restore=true keeps the VM's uuid and MACs, as XAPI's full restore: refused over a VM that has the uuid and is
     * not older (VM_TO_IMPORT_IS_NOT_NEWER_VERSION, each restore counting one more version); once that VM is gone,
     * the package comes back as it, its version one more.
     */
    @Test
    void aFullRestoreKeepsTheVmsUuid() throws Exception {
        String original = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("restored whole"));
        String uuid = (String) daemon.rpc("VM.get_uuid", original);
        String network = (String) ((List<?>) daemon.rpc("network.get_all")).getFirst();
        String mac = "02:00:00:12:34:56";
        daemon.rpc("VIF.create", Map.of("device", "0", "network", network, "VM", original, "MAC", mac, "MTU", "1500",
                "other_config", Map.of(), "qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
        String vtpmUuid = (String) daemon.rpc("VTPM.get_uuid", daemon.rpc("VTPM.create", original, false));
        byte[] pkg = send(get("/export?ref=" + original, null)).body();

        var before = counts();
        String clash = newTask();
        importing(pkg, clash, "restore=true&");
        assertEquals(List.of("VM_TO_IMPORT_IS_NOT_NEWER_VERSION", original, "0", "0"), ended(clash).get("error_info"));
        assertEquals(before, counts(), "nothing made, nothing replaced");

        daemon.rpc("VM.destroy", original);
        String task = newTask();
        assertEquals(200, importing(pkg, task, "restore=true&").statusCode());
        String result = String.valueOf(ended(task).get("result"));
        String restored = result.substring(result.indexOf("OpaqueRef:"), result.indexOf("</value>", result.indexOf("OpaqueRef:")));
        assertEquals(uuid, daemon.rpc("VM.get_uuid", restored));
        assertEquals(restored, daemon.rpc("VM.get_by_uuid", uuid));
        assertEquals("1", String.valueOf(daemon.rpc("VM.get_version", restored)));
        String vif = (String) ((List<?>) daemon.rpc("VM.get_VIFs", restored)).getFirst();
        assertEquals(mac, daemon.rpc("VIF.get_MAC", vif));
        assertEquals(vtpmUuid, daemon.rpc("VTPM.get_uuid", ((List<?>) daemon.rpc("VM.get_VTPMs", restored)).getFirst()));

        // the same package again: the VM restored is newer than it
        String again = newTask();
        importing(pkg, again, "restore=true&");
        assertEquals(List.of("VM_TO_IMPORT_IS_NOT_NEWER_VERSION", restored, "1", "0"), ended(again).get("error_info"));
        // without restore it is a copy, of a uuid of its own
        String copy = newTask();
        assertEquals(200, importing(pkg, copy).statusCode());
        assertEquals("success", ended(copy).get("status"));
    }

    /**
     * A vTPM goes with its VM, as XAPI's export writes it (its own record type, with the TPM's state), and comes
     * back as a new VTPM of the imported VM holding the same state.
     */
    @Test
    void aVtpmAndItsStateTravelWithTheVm() throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("with a vtpm"));
        String vtpm = (String) daemon.rpc("VTPM.create", vm, false);
        byte[] state = new byte[3000];
        new java.util.Random(11).nextBytes(state);
        String contents = java.util.Base64.getEncoder().encodeToString(state);
        daemon.rpc("VTPM.set_contents", vtpm, contents);
        byte[] pkg = send(get("/export?ref=" + vm, null)).body();
        String ova = new String(Tar.read(pkg).getFirst().data(), StandardCharsets.UTF_8);
        assertTrue(ova.contains("<name>VTPM</name>") || ova.contains(">VTPM<"), ova);
        assertTrue(ova.contains("<name>vTPM'_content</name>") && ova.contains(contents), "XAPI's labels and the state");

        String task = newTask();
        assertEquals(200, importing(pkg, task).statusCode());
        String result = String.valueOf(ended(task).get("result"));
        String imported = result.substring(result.indexOf("OpaqueRef:"), result.indexOf("</value>", result.indexOf("OpaqueRef:")));
        var vtpms = (List<?>) daemon.rpc("VM.get_VTPMs", imported);
        assertEquals(1, vtpms.size());
        String copy = (String) vtpms.getFirst();
        assertEquals(contents, daemon.rpc("VTPM.get_contents", copy));
        assertNotEquals(daemon.rpc("VTPM.get_uuid", vtpm), daemon.rpc("VTPM.get_uuid", copy));
        assertEquals(vtpm, ((List<?>) daemon.rpc("VM.get_VTPMs", vm)).getFirst(), "the exported VM keeps its own");

        // cut short in its disk: the VTPM made for it goes with the rest
        int before = ((Map<?, ?>) daemon.rpc("VTPM.get_all_records")).size();
        String cut = newTask();
        importing(Arrays.copyOf(pkg, pkg.length / 2), cut);
        assertEquals("failure", ended(cut).get("status"));
        assertEquals(before, ((Map<?, ?>) daemon.rpc("VTPM.get_all_records")).size());
    }

    @Test
    void gzipAndZstdGoBothWaysAndMetadataComesAlone() throws Exception {
        byte[] gz = send(get("/export/?ref=" + source + "&use_compression=true", null)).body();
        byte[] plain = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
        assertEquals(Tar.read(xva).stream().map(Tar.Entry::name).toList(), Tar.read(plain).stream().map(Tar.Entry::name).toList());
        String task = newTask();
        assertEquals(200, importing(gz, task).statusCode());
        assertEquals("success", ended(task).get("status"));

        var meta = Tar.read(send(get("/export_metadata?uuid=" + daemon.rpc("VM.get_uuid", source), null)).body());
        assertEquals(List.of("ova.xml"), meta.stream().map(Tar.Entry::name).toList());

        byte[] zstd = send(get("/export/?ref=" + source + "&use_compression=zstd", null)).body();
        assertEquals(Tar.read(xva).stream().map(Tar.Entry::name).toList(), Tar.read(unzstd(zstd)).stream().map(Tar.Entry::name).toList());
        String zstdTask = newTask();
        assertEquals(200, importing(zstd, zstdTask).statusCode());
        assertEquals("success", ended(zstdTask).get("status"));
        // a zstd stream cut short is refused, and leaves nothing
        List<Integer> before = counts();
        String cut = newTask();
        assertEquals(400, importing(Arrays.copyOf(zstd, zstd.length / 2), cut).statusCode());
        assertTrue(String.valueOf(ended(cut).get("error_info")).startsWith("[IMPORT_ERROR"), ended(cut).toString());
        assertEquals(before, counts());
    }

    /** A running VM is refused, as XAPI's export operation refuses it; suspended, it is exported as a halted VM. */
    @Test
    void aRunningVmIsNotExportedASuspendedOneIsAsHalted() throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("xva running"));
        daemon.rpc("VM.start", vm, false, false);
        try {
            String task = newTask();
            var r = send(get("/export?ref=" + vm, task));
            assertEquals(500, r.statusCode());
            assertEquals("VM_BAD_POWER_STATE", ((List<?>) ended(task).get("error_info")).getFirst());

            daemon.rpc("VM.suspend", vm);
            var entries = Tar.read(send(get("/export?ref=" + vm, null)).body());
            String ova = new String(entries.getFirst().data(), StandardCharsets.UTF_8);
            assertTrue(ova.matches("(?s).*<name>power_state</name>\\s*<value>Halted</value>.*"), ova);
            String imported = newTask();
            assertEquals(200, importing(Tar.write(entries), imported).statusCode());
            String result = String.valueOf(ended(imported).get("result"));
            String copy = result.substring(result.indexOf("OpaqueRef:"), result.indexOf("</value>", result.indexOf("OpaqueRef:")));
            assertEquals("Halted", daemon.rpc("VM.get_power_state", copy));
            assertEquals("OpaqueRef:NULL", daemon.rpc("VM.get_suspend_VDI", copy));
        } finally {
            if (!"Halted".equals(daemon.rpc("VM.get_power_state", vm))) daemon.rpc("VM.hard_shutdown", vm);
        }
    }

    @Test
    void brokenPackagesAreRefusedAndLeaveNothingBehind() throws Exception {
        var entries = Tar.read(xva);
        String firstChunk = entries.stream().filter(e -> e.name().matches("Ref:\\d+/\\d{8}")).findFirst().orElseThrow().name();
        String diskId = firstChunk.substring(0, firstChunk.indexOf('/'));
        refused("a wrong checksum", Tar.write(edit(entries, e -> e.name().equals(firstChunk + ".checksum")
                ? new Tar.Entry(e.name(), "0000000000000000000000000000000000000000".getBytes(StandardCharsets.US_ASCII)) : e)), "IMPORT_ERROR");
        refused("a wrong xxhash", Tar.write(edit(entries, e -> e.name().equals(firstChunk + ".checksum")
                ? new Tar.Entry(firstChunk + ".xxhash", "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII)) : e)), "IMPORT_ERROR");
        refused("a chunk changed", Tar.write(edit(entries, e -> {
            if (!e.name().equals(firstChunk)) return e;
            byte[] d = e.data().clone();
            d[100] ^= 1;
            return new Tar.Entry(e.name(), d);
        })), "IMPORT_ERROR");
        byte[] whole = Tar.write(entries);
        refused("a stream cut short", Arrays.copyOf(whole, whole.length / 2), "IMPORT_ERROR_PREMATURE_EOF");
        refused("a disk ova.xml names that the package lacks",
                Tar.write(entries.stream().filter(e -> !e.name().startsWith(diskId + "/")).toList()), "IMPORT_ERROR");
        refused("data for a disk ova.xml does not name",
                Tar.write(edit(entries, e -> e.name().startsWith(diskId + "/") ? new Tar.Entry("Ref:999" + e.name().substring(diskId.length()), e.data()) : e)),
                "IMPORT_ERROR");
        refused("no ova.xml first", Tar.write(entries.subList(1, entries.size())), "IMPORT_ERROR");
        // a header declaring a chunk of 1 GiB whose data never comes
        var huge = new ByteArrayOutputStream();
        huge.write(Tar.write(entries.subList(0, 1)), 0, Tar.write(entries.subList(0, 1)).length - 1024);
        huge.write(Tar.header(firstChunk, 1L << 30));
        huge.write(new byte[4096]);
        refused("a chunk larger than a chunk", huge.toByteArray(), "IMPORT_ERROR");
        refused("not a tar at all", "hello".repeat(300).getBytes(StandardCharsets.US_ASCII), "IMPORT_ERROR");
    }

    private static List<Tar.Entry> edit(List<Tar.Entry> entries, UnaryOperator<Tar.Entry> change) { return entries.stream().map(change).toList(); }

    private static void refused(String what, byte[] body, String code) throws Exception {
        var before = counts();
        String task = newTask();
        var reply = importing(body, task);
        assertEquals(400, reply.statusCode(), what + ": " + reply.body());
        var t = ended(task);
        assertEquals("failure", t.get("status"), what);
        assertEquals(code, ((List<?>) t.get("error_info")).getFirst(), what + ": " + t.get("error_info"));
        assertEquals(before, counts(), what + ": nothing is left behind");
    }

    /** Just enough of tar to take a package apart and put it back together, in memory. */
    static final class Tar {
        record Entry(String name, byte[] data) {}

        static List<Entry> read(byte[] tar) throws IOException {
            var out = new ArrayList<Entry>();
            int at = 0;
            while (at + 512 <= tar.length && tar[at] != 0) {
                int end = at;
                while (end < at + 100 && tar[end] != 0) end++;
                String name = new String(tar, at, end - at, StandardCharsets.UTF_8);
                int size = Integer.parseInt(new String(tar, at + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                out.add(new Entry(name, Arrays.copyOfRange(tar, at + 512, at + 512 + size)));
                at += 512 + (size + 511) / 512 * 512;
            }
            return out;
        }

        static byte[] write(List<Entry> entries) throws IOException {
            var out = new ByteArrayOutputStream();
            for (var e : entries) {
                out.write(header(e.name(), e.data().length));
                out.write(e.data());
                out.write(new byte[(512 - e.data().length % 512) % 512]);
            }
            out.write(new byte[1024]);
            return out.toByteArray();
        }

        static byte[] header(String name, long size) {
            byte[] h = new byte[512];
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(n, 0, h, 0, n.length);
            put(h, 100, String.format("%07o", 0644));
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", size));
            put(h, 136, "00000000000");
            h[156] = '0';
            put(h, 257, "ustar");
            put(h, 263, "00");
            Arrays.fill(h, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : h) sum += b & 0xff;
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            return h;
        }

        private static void put(byte[] h, int at, String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, h, at, b.length);
        }
    }
}

package org.flotilla.clients;

import static org.flotilla.clients.DiskStreamsTest.MIB;
import static org.flotilla.clients.DiskStreamsTest.daemon;
import static org.flotilla.clients.DiskStreamsTest.get;
import static org.flotilla.clients.DiskStreamsTest.newVdi;
import static org.flotilla.clients.DiskStreamsTest.put;
import static org.flotilla.clients.DiskStreamsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUT /import_raw_vdi?format=qcow2}, as XCP-ng takes a qcow2 image and Xen Orchestra sends one, on real qcow2
 * VDIs of a daemon's local SR: images written by qemu-img (plain, zlib- and zstd-compressed, with zero clusters, with
 * 1 MiB and 512-byte clusters, with extended L2 entries, with an internal snapshot) and by the daemon's own qcow2 export (over HTTP and through xe) go in and come out byte for byte,
 * sparse, under the client's task; the test guest's disk, imported as a compressed qcow2, boots; and crafted images, each refused with its own
 * error, leave the VDI as it was and no file behind.
 */
@Slow
class Qcow2ImportTest {
    @BeforeAll
    static void start() throws Exception { DiskStreamsTest.start(); }

    @AfterAll
    static void stop() throws Exception { DiskStreamsTest.stop(); }

    /** A raw disk of {@code size} with random data in a few places, zeros between, some not on a cluster's bounds. */
    static byte[] scattered(long size, long seed) {
        byte[] disk = new byte[(int) size];
        System.arraycopy(random(MIB + 4096, seed), 0, disk, 0, (int) MIB + 4096);
        System.arraycopy(random(size / 4, seed + 1), 0, disk, (int) (size / 2 + 512), (int) (size / 4));
        System.arraycopy(random(64 << 10, seed + 2), 0, disk, (int) (size - (64 << 10)), 64 << 10);
        return disk;
    }

    /** qemu-img's qcow2 of {@code raw} with these options of convert. */
    static byte[] qcow2Of(Path dir, byte[] raw, String... options) throws Exception {
        Path in = dir.resolve("in.raw");
        Path out = dir.resolve("out.qcow2");
        Files.write(in, raw);
        Files.deleteIfExists(out);
        var cmd = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(in.toString(), out.toString()));
        NbdExportTest.run(cmd);
        return Files.readAllBytes(out);
    }

    static void imported(String vdi, byte[] image) throws Exception { DiskStreamsTest.importedUnderATask(vdi, "qcow2", image); }

    @Test
    void qemuImgsImagesGoInByteForByteOverWhatWasThere(@TempDir Path dir) throws Exception {
        long size = 16 * MIB;
        byte[] disk = scattered(size, 20);
        var images = Map.of(
                "plain", qcow2Of(dir, disk),
                "zlib", qcow2Of(dir, disk, "-c"),
                "zstd", qcow2Of(dir, disk, "-c", "-o", "compression_type=zstd"),
                "1 MiB clusters", qcow2Of(dir, disk, "-o", "cluster_size=1M"),
                "extended L2", qcow2Of(dir, disk, "-o", "extended_l2=on"),
                "512-byte clusters, v2", qcow2Of(dir, disk, "-o", "cluster_size=512,compat=0.10"));
        for (var e : images.entrySet()) {
            String vdi = newVdi("qcow2 " + e.getKey(), size);
            DiskStreamsTest.filled(vdi, size, 21); // what the image's holes must replace
            imported(vdi, e.getValue());
            assertArrayEquals(disk, get(vdi, "raw", null).body(), e.getKey());
        }

        // zero clusters written over data by qemu-io: they read as zeros, as the holes do
        Path zeros = dir.resolve("zeros.qcow2");
        Files.write(zeros, qcow2Of(dir, disk));
        NbdExportTest.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -z 512k 256k", "-c", "write -z " + (size / 2 + MIB) + " 1m", zeros.toString()));
        byte[] zeroed = disk.clone();
        Arrays.fill(zeroed, (int) (512 << 10), (int) (768 << 10), (byte) 0);
        Arrays.fill(zeroed, (int) (size / 2 + MIB), (int) (size / 2 + 2 * MIB), (byte) 0);
        assertTrue(NbdExportTest.run(List.of("qemu-img", "map", "--output=json", "-f", "qcow2", zeros.toString())).contains("\"present\": true, \"zero\": true, \"data\": false"));
        String vdi = newVdi("qcow2 zero clusters", size);
        DiskStreamsTest.filled(vdi, size, 22);
        imported(vdi, Files.readAllBytes(zeros));
        assertArrayEquals(zeroed, get(vdi, "raw", null).body());

        // an internal snapshot, then writes over it: the active layer goes in, not the snapshot
        NbdExportTest.run(List.of("qemu-img", "snapshot", "-c", "before", zeros.toString()));
        NbdExportTest.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x77 0 128k", zeros.toString()));
        Arrays.fill(zeroed, 0, 128 << 10, (byte) 0x77);
        imported(vdi, Files.readAllBytes(zeros));
        assertArrayEquals(zeroed, get(vdi, "raw", null).body(), "the active layer of an image with a snapshot");

        // a smaller image leaves the rest of a larger VDI as it was
        String larger = newVdi("qcow2 into a larger disk", size + 4 * MIB);
        byte[] before = DiskStreamsTest.filled(larger, size + 4 * MIB, 23);
        imported(larger, images.get("plain"));
        byte[] after = get(larger, "raw", null).body();
        assertArrayEquals(disk, Arrays.copyOf(after, (int) size));
        assertArrayEquals(Arrays.copyOfRange(before, (int) size, before.length), Arrays.copyOfRange(after, (int) size, after.length));
    }

    /** Our own qcow2 export goes back in; a large sparse image stays sparse. */
    @Test
    void ourOwnExportRoundTripsAndASparseImageStaysSparse(@TempDir Path dir) throws Exception {
        long size = 8 * MIB + 4096;
        String vdi = newVdi("qcow2 source", size);
        byte[] disk = scattered(size, 30);
        assertEquals(200, put(vdi, "raw", null, disk).statusCode());
        byte[] exported = get(vdi, "qcow2", null).body();
        String copy = newVdi("qcow2 copy", size);
        imported(copy, exported);
        assertArrayEquals(disk, get(copy, "raw", null).body());
        assertArrayEquals(exported, get(copy, "qcow2", null).body(), "the copy's export is the source's");
        // and through xe, which sends the user's file itself
        Path file = dir.resolve("xe.qcow2");
        DiskStreamsTest.succeeds(DiskStreamsTest.xe(List.of("vdi-export", "uuid=" + daemon.rpc("VDI.get_uuid", vdi), "filename=" + file, "format=qcow2")), "export");
        String byXe = newVdi("qcow2 by xe", size);
        DiskStreamsTest.succeeds(DiskStreamsTest.xe(List.of("vdi-import", "uuid=" + daemon.rpc("VDI.get_uuid", byXe), "filename=" + file, "format=qcow2")), "import");
        assertArrayEquals(disk, get(byXe, "raw", null).body());

        long big = 1024 * MIB;
        Path sparse = dir.resolve("sparse.qcow2");
        NbdExportTest.run(List.of("qemu-img", "create", "-f", "qcow2", sparse.toString(), Long.toString(big)));
        NbdExportTest.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 512m 2m", sparse.toString()));
        String large = newVdi("qcow2 sparse", big);
        imported(large, Files.readAllBytes(sparse));
        long used = Long.parseLong(String.valueOf(daemon.rpc("VDI.get_physical_utilisation", large)));
        assertTrue(used < 16 * MIB, "a 1 GiB import of 2 MiB of data takes " + used + " bytes");
        assertEquals(32, exportedClusters(large), "the 2 MiB written, as 64 KiB clusters");
    }

    /** The data clusters of {@code vdi}'s qcow2 export: its length less header, L1, refcount table and block, one L2. */
    static long exportedClusters(String vdi) throws Exception { return get(vdi, "qcow2", null).body().length / (64 << 10) - 5; }

    /** The test guest's BIOS-bootable disk, sent as a compressed qcow2 into a VM's disk, boots. */
    @Test
    void theTestGuestsDiskImportedAsQcow2Boots(@TempDir Path dir) throws Exception {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("qcow2 boot"));
        daemon.rpc("VM.set_PV_kernel", vm, "");
        daemon.rpc("VM.set_PV_ramdisk", vm, ""); // no kernel given: the BIOS boots the disk
        String vdi = null;
        for (Object vbd : (List<?>) daemon.rpc("VM.get_VBDs", vm)) {
            if ("Disk".equals(daemon.rpc("VBD.get_type", vbd))) vdi = (String) daemon.rpc("VBD.get_VDI", vbd);
        }
        Path image = dir.resolve("guest.qcow2");
        NbdExportTest.run(List.of("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", org.flotilla.qemu.TestGuest.DISK.toString(), image.toString()));
        imported(vdi, Files.readAllBytes(image));
        XvaTest.booted(daemon, vm);
    }

    @Test
    void craftedImagesAreRefusedEachWithItsOwnErrorAndLeaveNothingBehind(@TempDir Path dir) throws Exception {
        long size = 4 * MIB;
        String vdi = newVdi("qcow2 kept", size);
        byte[] kept = DiskStreamsTest.filled(vdi, size, 40);
        Path sr = daemon.daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image().getParent();
        List<String> files = list(sr);
        byte[] good = qcow2Of(dir, scattered(size, 41));

        refused(vdi, qemuImgCreate(dir, size, "-u", "-b", "/etc/passwd", "-F", "raw"), "IMPORT_ERROR", "backing file (/etc/passwd)", kept);
        Path data = dir.resolve("data.raw");
        refused(vdi, qemuImgCreate(dir, size, "-o", "data_file=" + data + ",data_file_raw=on"), "IMPORT_ERROR", "external data file", kept);
        refused(vdi, qemuImgCreate(dir, size, "--object", "secret,id=s0,data=secret", "-o", "encrypt.format=luks,encrypt.key-secret=s0"),
                "IMPORT_ERROR", "encrypted", kept);
        refused(vdi, Arrays.copyOf(good, good.length / 2), "IMPORT_ERROR", "past the end of the stream", kept);
        DiskStreamsTest.brokenOff(vdi, "qcow2", good.length, Arrays.copyOf(good, good.length / 2), "IMPORT_ERROR_PREMATURE_EOF", kept);
        // an upload declared larger than the SR's file system has free is refused before it is staged
        DiskStreamsTest.brokenOff(vdi, "qcow2", 1L << 60, Arrays.copyOf(good, 4096), "SR_FULL", kept);
        refused(vdi, patched(good, 40, ByteBuffer.allocate(8).putLong(64L << 30).array()), "IMPORT_ERROR", "the L1 table at byte 68719476736 lies past", kept);
        refused(vdi, qcow2Of(dir, scattered(size + MIB, 42)), "VDI_TOO_SMALL", null, kept);
        refused(vdi, patched(good, 0, new byte[] {'Q', 'F', 'I', 0}), "IMPORT_ERROR", "not a qcow2 image", kept);
        refused(vdi, patched(good, 79, new byte[] {0x20}), "IMPORT_ERROR", "incompatible features 0x20 are unknown", kept);
        // compression type 2, its incompatible bit set
        refused(vdi, patched(patched(good, 79, new byte[] {0x08}), 104, new byte[] {2}), "IMPORT_ERROR", "compression type 2", kept);
        // the first L2 table's second entry pointing at the first one's data cluster
        ByteBuffer g = ByteBuffer.wrap(good);
        long l2 = g.getLong((int) g.getLong(40)) & 0x00fffffffffffe00L;
        long firstData = g.getLong((int) l2);
        refused(vdi, patched(good, (int) l2 + 8, ByteBuffer.allocate(8).putLong(firstData).array()), "IMPORT_ERROR", "overlaps", kept);
        refused(vdi, "not a qcow2 image at all".getBytes(), "IMPORT_ERROR", "not a qcow2 image", kept);

        assertEquals(files, list(sr), "no staged image or overlay left in the SR");
        imported(vdi, good); // and the VDI still takes a good one
    }

    /** The import is refused with {@code code} (its message holding {@code says}) and the VDI still holds {@code kept}. */
    static void refused(String vdi, byte[] image, String code, String says, byte[] kept) throws Exception {
        DiskStreamsTest.refused(vdi, "qcow2", image, code, kept);
        if (says == null) return;
        var reply = put(vdi, "qcow2", null, image);
        assertTrue(reply.body().contains(says), reply.body());
    }

    static byte[] qemuImgCreate(Path dir, long size, String... options) throws Exception {
        Path out = dir.resolve("created.qcow2");
        Files.deleteIfExists(out);
        var cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(out.toString(), Long.toString(size)));
        NbdExportTest.run(cmd);
        return Files.readAllBytes(out);
    }

    static byte[] patched(byte[] image, int at, byte[] bytes) {
        byte[] p = image.clone();
        System.arraycopy(bytes, 0, p, at, bytes.length);
        return p;
    }

    static List<String> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}

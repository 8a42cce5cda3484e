package org.flotilla.storage.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-pass qcow2 writer read by QEMU: clusters in two L2 tables' regions and the disk's last, partial, cluster
 * (the size rounded up to a sector, as QEMU counts them); an empty disk naming a backing file; each image checked by
 * qemu-img and read back by qemu-io where it holds data and where it does not.
 */
class Qcow2ExportTest {
    private static final long C = Qcow2Export.CLUSTER;

    /** A disk whose every byte is its cluster's index, plus one. */
    private static void fill(long offset, byte[] buf, int off, int len) {
        for (int i = 0; i < len; i++) buf[off + i] = (byte) ((offset + i) / C + 1);
    }

    @Test
    void qemuReadsTheClustersWrittenAndZerosElsewhere(@TempDir Path dir) throws Exception {
        long size = 9000 * C + 1000; // past the first L2 table's 8192 clusters, ending in a partial cluster
        var clusters = new BitSet();
        clusters.set(0);
        clusters.set(1, 40); // a run longer than one read
        clusters.set(8191, 8194); // across the two tables
        clusters.set(9000); // the partial last
        var image = new Qcow2Export(size, clusters, null);
        Path file = dir.resolve("disk.qcow2");
        try (OutputStream out = Files.newOutputStream(file)) {
            image.write(Qcow2ExportTest::fill, out, f -> {});
        }
        assertEquals(image.length(), Files.size(file));
        run("qemu-img", "check", "-f", "qcow2", file.toString());
        assertEquals(9000 * C + 1024, Long.parseLong(run("qemu-img", "info", "--output=json", file.toString())
                .replaceAll("(?s).*\"virtual-size\": (\\d+).*", "$1")));
        var reads = new ArrayList<>(List.of("qemu-io", "-r", "-f", "qcow2"));
        for (int c : List.of(0, 1, 39, 8191, 8192, 8193)) reads.addAll(List.of("-c", "read -P " + ((c + 1) & 0xff) + " " + c * C + " " + C));
        reads.addAll(List.of("-c", "read -P " + (9001 & 0xff) + " " + 9000 * C + " 1000", "-c", "read -P 0 " + (9000 * C + 1000) + " 24"));
        for (int c : List.of(40, 8190, 8194, 8999)) reads.addAll(List.of("-c", "read -P 0 " + c * C + " " + C));
        reads.add(file.toString());
        String out = run(reads.toArray(String[]::new));
        assertEquals(false, out.contains("Pattern verification failed"), out);
    }

    @Test
    void anEmptyDiskIsAHeaderAndItsTables(@TempDir Path dir) throws Exception {
        var image = new Qcow2Export(3 * C, new BitSet(), "base-uuid");
        Path file = dir.resolve("empty.qcow2");
        try (OutputStream out = Files.newOutputStream(file)) {
            image.write(Qcow2ExportTest::fill, out, f -> {});
        }
        // header, L1 table, refcount table and block
        assertEquals(4 * C, Files.size(file));
        String info = run("qemu-img", "info", "--output=json", file.toString());
        assertEquals(true, info.contains("\"backing-filename\": \"base-uuid\""), info);
        Files.copy(file, dir.resolve("plain.qcow2"));
        run("qemu-img", "rebase", "-u", "-f", "qcow2", "-b", "", dir.resolve("plain.qcow2").toString());
        run("qemu-img", "check", "-f", "qcow2", dir.resolve("plain.qcow2").toString());
    }

    private static String run(String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}

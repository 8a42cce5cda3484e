package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NBD requests in flight against a real qemu-storage-daemon serving a qcow2 image: writes that overlap one still in
 * flight land in the order sent, zeros go in as holes over data, a refused request fails the stream, and reads ahead
 * come back in order.
 */
class NbdPipelineTest {
    static final int MIB = 1 << 20;

    @TempDir Path dir;

    private BlockExports serve(long size) throws Exception {
        var store = new LocalDir(dir);
        run("qemu-img", "create", "-q", "-f", "qcow2", dir.resolve("disk.qcow2").toString(), Long.toString(size));
        return DiskStreams.serve(new Storage.Attachment(store, List.of(new Storage.Layer("disk.qcow2", "qcow2")), false), true);
    }

    @Test
    void overlappingWritesLandInTheOrderSentAndZerosReadBackOverData() throws Exception {
        try (BlockExports server = serve(16 * MIB);
             var nbd = new NbdPipeline(NbdConnection.open(server.socket(), DiskStreams.EXPORT), 8)) {
            byte[] expected = new byte[16 * MIB];
            var random = new Random(1);
            // many writes, each overlapping the one before by half, in flight together
            for (int i = 0; i < 60; i++) {
                byte[] b = new byte[512 * 1024];
                random.nextBytes(b);
                long at = (long) i * 256 * 1024;
                nbd.write(at, b, 0, b.length);
                System.arraycopy(b, 0, expected, (int) at, b.length);
            }
            // zeros in whole 64 KiB pieces, amid data, over what was written
            byte[] mixed = new byte[4 * MIB];
            random.nextBytes(mixed);
            Arrays.fill(mixed, 100_000, 3 * MIB, (byte) 0);
            nbd.writeSparse(MIB + 4096, mixed, 0, mixed.length, 64 * 1024);
            System.arraycopy(mixed, 0, expected, MIB + 4096, mixed.length);
            nbd.flush();

            byte[] back = new byte[16 * MIB];
            var everyBlock = new BitSet();
            everyBlock.set(0, 8);
            var ahead = new Readahead(nbd, everyBlock, 2 * MIB, back.length, 3);
            for (int at = 0; at < back.length; at += 2 * MIB) ahead.read(at, back, at, 2 * MIB);
            assertArrayEquals(expected, back);
        }
        String map = run("qemu-img", "map", "--output=json", dir.resolve("disk.qcow2").toString());
        assertTrue(map.contains("\"zero\": true"), "the zeros are holes, not data: " + map);
    }

    @Test
    void aRefusedWriteFailsTheStream() throws Exception {
        try (BlockExports server = serve(4 * MIB);
             var nbd = new NbdPipeline(NbdConnection.open(server.socket(), DiskStreams.EXPORT), 4)) {
            nbd.write(3 * MIB, new byte[2 * MIB], 0, 2 * MIB); // beyond the disk's end: the server refuses it
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 8; i++) nbd.write(0, new byte[4096], 0, 4096);
                nbd.flush();
            });
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        return out;
    }
}

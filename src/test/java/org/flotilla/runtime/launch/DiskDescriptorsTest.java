package org.flotilla.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flotilla.os.Fd;
import org.flotilla.os.OsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptors a VM's disk layers are handed to QEMU by, as the kernel reports their flags. */
class DiskDescriptorsTest {
    private static final int O_ACCMODE = 3;
    private static final int O_RDWR = 2;
    private static final int O_DIRECT = 040000;

    @Test
    void layersBypassThePageCacheWhereTheFileSystemAllowsIt(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("top.qcow2"), new byte[4096]);
        Files.write(dir.resolve("base.qcow2"), new byte[4096]);
        var opened = DiskDescriptors.open(dir, List.of("top.qcow2", "base.qcow2"), true);
        try {
            assertTrue(opened.direct());
            List<Fd> top = opened.layers().get(0);
            List<Fd> base = opened.layers().get(1);
            // the top layer: one to write and a read-only twin for QEMU's reopen; the base only read
            assertEquals(List.of(O_RDWR, 0), top.stream().map(f -> flags(f) & O_ACCMODE).toList());
            assertEquals(List.of(0), base.stream().map(f -> flags(f) & O_ACCMODE).toList());
            for (List<Fd> layer : opened.layers()) for (Fd f : layer) assertTrue((flags(f) & O_DIRECT) != 0, f.what());
        } finally {
            opened.close();
        }
    }

    /** sysfs refuses O_DIRECT as tmpfs did before Linux 6.6: the disk is opened through the page cache instead. */
    @Test
    void aFileSystemThatRefusesDirectIoGetsCachedDescriptors() throws Exception {
        Path sys = Path.of("/sys/kernel");
        var opened = DiskDescriptors.open(sys, List.of("uevent_seqnum"), false);
        try {
            assertFalse(opened.direct());
            Fd only = opened.layers().getFirst().getFirst();
            assertEquals(0, flags(only) & O_DIRECT);
        } finally {
            opened.close();
        }
    }

    @Test
    void aMissingLayerLeavesNothingOpen(@TempDir Path dir) throws Exception {
        Path top = Files.write(dir.resolve("top.qcow2"), new byte[4096]);
        try {
            DiskDescriptors.open(dir, List.of("top.qcow2", "gone.qcow2"), true);
            throw new AssertionError("a missing layer was opened");
        } catch (OsException e) {
            assertFalse(e.getMessage().isEmpty());
        }
        assertFalse(openFiles().contains(top), "the top layer's descriptors stayed open");
    }

    /** The file status flags of {@code f}, from /proc/self/fdinfo (octal there). */
    private static int flags(Fd f) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + f.value()))) {
                if (line.startsWith("flags:")) return Integer.parseInt(line.substring(6).strip(), 8);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no flags for " + f.what());
    }

    /** What this process's descriptors name. */
    private static List<Path> openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.flatMap(fd -> {
                try {
                    return java.util.stream.Stream.of(Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    return java.util.stream.Stream.empty(); // closed meanwhile
                }
            }).toList();
        }
    }
}

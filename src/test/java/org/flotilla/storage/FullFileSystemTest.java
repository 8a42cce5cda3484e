package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.TestCommand;
import org.flotilla.daemon.InProcessNode;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An SR on a file system that is really full — a small tmpfs filled to the last byte, then to the last inode —
 * refuses new disks, snapshots and clones with an error the client can act on, and loses nothing it had: every
 * VDI record and image stays, with its data, and no stray file is left. Once space is freed it works again.
 */
class FullFileSystemTest extends InProcessNode {
    private static final long MIB = 1 << 20;
    private static final Set<String> REFUSALS = Set.of("SR_FULL", "SR_BACKEND_FAILURE");
    private Path mount;

    @BeforeEach
    void mountAndBoot() {
        mount = dir.resolve("small");
        StorageTest.run("mkdir", "-p", mount.toString());
        StorageTest.run("mount", "-t", "tmpfs", "-o", "size=12m,nr_inodes=64,mode=0700", "flotilla-test-full", mount.toString());
        boot();
    }

    @AfterEach
    void unmount() {
        if (node != null) node.close();
        TestCommand.run(List.of("umount", "-l", mount.toString()));
    }

    @Test
    void aFullSrRefusesNewDisksAndKeepsTheOldOnes() throws IOException {
        Path srDir = mount.resolve("sr");
        String sr = (String) call("SR.create", session, node.hostRef(), Map.of("location", srDir.toString()), "0", "small", "",
                "file", "", false, Map.of());
        String disk = (String) call("VDI.create", session, Map.of("SR", sr, "virtual_size", 4 * MIB, "name_label", "kept"));
        Path image = srDir.resolve(call("VDI.get_location", session, disk) + ".qcow2");
        StorageTest.run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", image.toString());
        List<String> before = StorageTest.files(srDir);

        Path bytes = mount.resolve("filler");
        fillBytes(bytes);
        ApiError full = refused("VDI.create", Map.of("SR", sr, "virtual_size", MIB, "name_label", "no room"));
        assertEquals("SR_FULL", full.code(), full.description().toString());
        refused("VDI.snapshot", disk, Map.of());
        refused("VDI.clone", disk, Map.of());
        assertNothingLost(sr, disk, image, before);
        Files.delete(bytes);

        Path inodes = mount.resolve("inodes");
        fillInodes(inodes);
        // bytes are free now, so the space check passes and qemu-img meets the full file system itself
        ApiError noInode = refused("VDI.create", Map.of("SR", sr, "virtual_size", MIB, "name_label", "no inode"));
        assertTrue(noInode.description().toString().contains("No space left on device"), noInode.description().toString());
        refused("VDI.snapshot", disk, Map.of());
        refused("VDI.clone", disk, Map.of());
        assertNothingLost(sr, disk, image, before);
        StorageTest.run("rm", "-rf", inodes.toString());

        String later = (String) call("VDI.create", session, Map.of("SR", sr, "virtual_size", MIB, "name_label", "room again"));
        String snap = (String) call("VDI.snapshot", session, disk, Map.of());
        assertTrue(((List<?>) call("SR.get_VDIs", session, sr)).containsAll(List.of(disk, later, snap)));
        StorageTest.run("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0xab 0 1M", image.toString());
    }

    private ApiError refused(String method, Object... params) {
        try {
            call(method, prepend(session, params));
        } catch (ApiError e) {
            assertTrue(REFUSALS.contains(e.code()), method + " on a full file system: " + e.description());
            return e;
        }
        return fail(method + " succeeded on a full file system");
    }

    private void assertNothingLost(String sr, String disk, Path image, List<String> before) throws IOException {
        assertEquals(List.of(disk), call("SR.get_VDIs", session, sr), "no VDI record gained or lost");
        assertEquals(4 * MIB, call("VDI.get_virtual_size", session, disk));
        assertEquals(before, StorageTest.files(image.getParent()), "no image file gained or lost");
        StorageTest.run("qemu-img", "check", "-U", image.toString());
        StorageTest.run("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0xab 0 1M", image.toString());
    }

    /** Writes zeros into {@code f} until the file system has no byte left. */
    private static void fillBytes(Path f) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (int i = 0; i < 100_000; i++) out.write(chunk);
        } catch (IOException noSpaceLeft) {
            assertTrue(Files.getFileStore(f).getUsableSpace() < chunk.length, "the file system is full: " + noSpaceLeft);
            return;
        }
        fail("the small file system never filled");
    }

    /** Makes empty files in {@code d} until the file system has no inode left. */
    private static void fillInodes(Path d) throws IOException {
        Files.createDirectory(d);
        for (int i = 0; i < 10_000; i++) {
            try {
                Files.createFile(d.resolve("i" + i));
            } catch (IOException noInodeLeft) {
                return;
            }
        }
        fail("the small file system never ran out of inodes");
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

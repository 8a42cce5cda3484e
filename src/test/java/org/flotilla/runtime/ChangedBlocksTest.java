package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.CbtBlocks;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.Test;

/**
 * Changed-block tracking on a real guest writing its disk: the blocks VDI.list_changed_blocks reports between two
 * snapshots are exactly those in which the two snapshots' bytes differ, before and after the older one's data is
 * destroyed, and between the last snapshot and the disk once the VM is down.
 */
@Slow
class ChangedBlocksTest extends OnAVmHost {
    private static final int BLOCK = CbtBlocks.BLOCK;

    @Test
    void changedBlocksBetweenSnapshotsOfARunningVmsDisk() throws Exception {
        // one 64 KiB write every 100 ms, each to a block far from the last, each with its own number in it
        String vm = h.newVm("cbt", "writer", 128, f -> f.put("PV_args", f.get("PV_args") + " flotilla.writer_kib=64 flotilla.writer_ms=100"));
        String vdi = h.newVdi("tracked", 16);
        h.newVbd(vm, vdi, "0", "Disk");
        assertEquals(false, h.node.db().get("VDI", vdi).get("cbt_enabled"));
        h.call("VDI.enable_cbt", vdi);
        h.call("VDI.enable_cbt", vdi); // idempotent
        assertEquals(true, h.node.db().get("VDI", vdi).get("cbt_enabled"));
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "WROTE 3", 1, Duration.ofSeconds(30 * LOADED));

        String s1 = (String) h.call("VDI.snapshot", vdi, Map.of());
        assertEquals(true, h.node.db().get("VDI", s1).get("cbt_enabled"), "a snapshot keeps the disk's tracking");
        // the console may lag the guest by a write or two: what it shows now was written about when the snapshot was taken
        long after1 = lastWrote(h.serial(vm));
        h.awaitSerial(vm, "WROTE " + (after1 + 10), 1, Duration.ofSeconds(30 * LOADED));
        String s2 = (String) h.call("VDI.snapshot", vdi, Map.of());

        BitSet listed = bitmap((String) h.call("VDI.list_changed_blocks", s1, s2), 16);
        BitSet differing = differingBlocks(s1, s2);
        assertTrue(differing.cardinality() >= 6 && differing.cardinality() < 256, "blocks written between the snapshots: " + differing);
        assertEquals(differing, listed, "the changed blocks are those in which the snapshots differ");
        System.out.printf("CBT: %d of 256 blocks changed; an incremental backup reads %d KiB of %d KiB%n",
                listed.cardinality(), listed.cardinality() * 64L, 16L << 10);
        assertEquals(new BitSet(), bitmap((String) h.call("VDI.list_changed_blocks", s2, s2), 16));

        // vdi_to is being written: XAPI's VDI_IN_USE
        assertEquals(List.of("VDI_IN_USE", vdi, "list_changed_blocks"), h.fails("VDI.list_changed_blocks", s2, vdi).description());
        assertEquals("OPERATION_NOT_ALLOWED", h.fails("VDI.enable_cbt", s1).code(), "a snapshot's tracking is its disk's");
        assertEquals("OPERATION_NOT_ALLOWED", h.fails("VDI.data_destroy", vdi).code(), "only a snapshot's data can go");

        // the older snapshot's data goes; what it is needed for, its changed blocks, stays
        Path s1Image = h.node.storage().attachment(VDI.CLASS.ref(s1)).image();
        h.call("VDI.data_destroy", s1);
        h.call("VDI.data_destroy", s1); // idempotent
        assertEquals("cbt_metadata", h.node.db().get("VDI", s1).get("type"));
        assertFalse(Files.exists(s1Image), "the snapshot's image is gone");
        assertEquals(listed, bitmap((String) h.call("VDI.list_changed_blocks", s1, s2), 16));
        assertEquals(List.of("VDI_INCOMPATIBLE_TYPE", s1, "cbt_metadata"), h.fails("VDI.snapshot", s1, Map.of()).description());
        h.call("SR.scan", h.node.db().get("VDI", s1).get("SR"));
        assertEquals("cbt_metadata", h.node.db().get("VDI", s1).get("type"), "a scan keeps the metadata of a destroyed snapshot");

        // the disk itself, once nothing writes it, against the last snapshot
        h.call("VM.hard_shutdown", vm);
        BitSet sinceS2 = bitmap((String) h.call("VDI.list_changed_blocks", s2, vdi), 16);
        assertEquals(differingBlocks(s2, vdi), sinceS2);
        assertFalse(sinceS2.isEmpty());
        // from the destroyed snapshot to the disk: both intervals, through the chain
        BitSet sinceS1 = (BitSet) listed.clone();
        sinceS1.or(sinceS2);
        assertEquals(sinceS1, bitmap((String) h.call("VDI.list_changed_blocks", s1, vdi), 16));
        // grown, the disk's bitmap covers its new size; growing changed no block
        h.call("VDI.resize", vdi, 20L << 20);
        assertEquals(sinceS2, bitmap((String) h.call("VDI.list_changed_blocks", s2, vdi), 20));

        assertEquals(List.of("VDI_CBT_ENABLED", vdi),
                h.fails("VDI.pool_migrate", vdi, h.node.db().get("VDI", vdi).get("SR"), Map.of()).description(), "a move would flatten the layers");

        // tracking off: a snapshot taken then has nothing to compare
        h.call("VDI.disable_cbt", vdi);
        String s3 = (String) h.call("VDI.snapshot", vdi, Map.of());
        assertEquals(false, h.node.db().get("VDI", s3).get("cbt_enabled"));
        assertEquals(List.of("VDI_NO_CBT_METADATA", s3), h.fails("VDI.list_changed_blocks", s2, s3).description());
        assertEquals(List.of("VDI_NO_CBT_METADATA", s3), h.fails("VDI.data_destroy", s3).description());
        h.call("VDI.destroy", s1);
        assertEquals(null, h.node.db().get("VDI", s1));
    }

    /** The 64 KiB blocks in which the two disks' bytes differ, read whole through qemu-img. */
    private BitSet differingBlocks(String a, String b) throws Exception {
        Path ra = dir.resolve("a.raw");
        Path rb = dir.resolve("b.raw");
        try {
            h.node.storage().exportRaw(VDI.CLASS.ref(a), ra);
            h.node.storage().exportRaw(VDI.CLASS.ref(b), rb);
            byte[] x = Files.readAllBytes(ra);
            byte[] y = Files.readAllBytes(rb);
            var out = new BitSet();
            for (int i = 0; i * BLOCK < Math.max(x.length, y.length); i++) {
                if (!Arrays.equals(x, Math.min(i * BLOCK, x.length), Math.min((i + 1) * BLOCK, x.length),
                        y, Math.min(i * BLOCK, y.length), Math.min((i + 1) * BLOCK, y.length))) {
                    out.set(i);
                }
            }
            return out;
        } finally {
            Files.deleteIfExists(ra);
            Files.deleteIfExists(rb);
        }
    }

    /** XAPI's bitmap: block i in bit 7 - i % 8 of byte i / 8, as Xen Orchestra reads it; exactly the disk's size long. */
    private static BitSet bitmap(String base64, int sizeMiB) {
        assertEquals((sizeMiB << 20) / BLOCK / 8, Base64.getDecoder().decode(base64).length);
        var out = new BitSet();
        CbtBlocks.decode(base64).forEach(out::set);
        return out;
    }

    private static long lastWrote(String serial) {
        Matcher m = Pattern.compile("WROTE (\\d+)\\r?\\n").matcher(serial);
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1));
        return last;
    }
}

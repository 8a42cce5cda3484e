package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The collector of chains on real qcow2 images and a real guest: what a destroyed snapshot leaves is merged back into
 * one image, offline and under a running guest that keeps counting, crash-safely across a daemon restart, and never
 * where changed-block tracking still reads a layer.
 */
class CoalescerTest extends OnALocalSr {
    /** The data each merge moves, in MiB: the figures in docs/design.md are of a run with 256. */
    private static final int MIB_MOVED = Integer.getInteger("flotilla.coalesce-test.mib", 32);

    /** A simulated kill of the daemon at one step of a merge: the collector's thread stops there, nothing cleaned up. */
    static final class Killed extends Error {
        Killed() { super("killed", null, false, false); }
    }

    @Test
    void aDestroyedSnapshotOfAHaltedDisksChainIsMergedBackAndItsSpaceFreed() throws Exception {
        // an SR on a file system of its own: its physical_utilisation moves with its images alone
        Path fs = dir.resolve("tmpfs");
        Files.createDirectories(fs);
        run("mount", "-t", "tmpfs", "-o", "size=" + (MIB_MOVED * 3 + 128) + "m,mode=0700", "flotilla-test-coalesce", fs.toString());
        mounted = fs;
        Path srDir = fs.resolve("sr");
        String sr = (String) call("SR.create", session, node.hostRef(), Map.of("location", srDir.toString()), "0", "own", "", "file",
                "user", false, Map.of());
        String vdi = createVdi(sr, (MIB_MOVED + 16) * MIB, "disk");
        write(vdi, 0x11, 0, MIB_MOVED);
        String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
        write(vdi, 0x22, 0, MIB_MOVED); // every cluster of the base copy shadowed: merged, it takes no more room
        assertEquals(2, layers(vdi));
        String base = baseCopies(sr).getFirst();
        Path baseImage = image(base);
        call("SR.update", session, sr);
        long before = (long) record("SR", sr).get("physical_utilisation");
        long duBefore = du(srDir);

        long ms = destroyAndAwaitIdle(snapshot);
        assertMerged(sr, vdi, baseImage);
        assertEquals(null, info(image(vdi)).get("backing-filename"));
        assertEquals(null, ((Map<?, ?>) record("VDI", vdi).get("sm_config")).get(Storage.PARENT_KEY));
        read(vdi, 0x22, 0, MIB_MOVED);
        run("qemu-img", "check", "-q", image(vdi).toString());
        long freed = duBefore - du(srDir);
        long dropped = before - (long) record("SR", sr).get("physical_utilisation");
        assertTrue(freed > MIB_MOVED * MIB * 3 / 4, "the SR's directory shrank by " + freed);
        assertTrue(Math.abs(dropped - freed) < MIB, "physical_utilisation dropped by " + dropped + ", the directory by " + freed);
        assertEquals(Files.size(image(vdi)), record("VDI", vdi).get("physical_utilisation"));
        System.out.printf("coalesce offline: %d MiB written since the snapshot merged in %d ms (destroy to idle); %d MiB freed,"
                + " physical_utilisation %d MiB lower; qemu-img commit of the same pair by hand: %d ms%n", MIB_MOVED, ms, freed >> 20,
                dropped >> 20, handCommitMillis(fs));
    }

    @Test
    void tenSnapshotAndDestroyCyclesKeepTheChainShort() throws Exception {
        String sr = defaultSr();
        String vdi = createVdi(sr, 16 * MIB, "cycled");
        for (int i = 0; i < 10; i++) {
            String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
            write(vdi, 0x30 + i, i, 1);
            call("VDI.destroy", session, snapshot);
            awaitIdle();
            assertTrue(layers(vdi) <= 2, "cycle " + i + ": " + layers(vdi) + " layers");
        }
        assertEquals(1, layers(vdi));
        assertEquals(List.of(), baseCopies(sr));
        for (int i = 0; i < 10; i++) read(vdi, 0x30 + i, i, 1);
        run("qemu-img", "check", "-q", image(vdi).toString());
    }

    @Test
    void aMergeUnderARunningGuestLosesNoWrite() throws Exception {
        rebootWithTheTestGuest();
        String sr = defaultSr();
        String vdi = createVdi(sr, (MIB_MOVED + 16) * MIB, "counted");
        write(vdi, 0x5a, 1, MIB_MOVED); // the counter is at 4 KiB: this is the base copy's bulk, pulled up online
        CountingGuest g = startCountingGuest(vdi);
        String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
        Path baseImage = image(baseCopies(sr).getFirst());
        long atSnapshot = TestGuest.awaitCounts(g.serial(), 5).getLast();
        awaitCountBeyond(g, atSnapshot + 5);

        long ms = destroyAndAwaitIdle(snapshot);
        assertMergedUnder(g, sr, vdi, baseImage);
        System.out.printf("coalesce online: %d MiB base copy streamed under a counting guest in %d ms (destroy to idle)%n", MIB_MOVED, ms);
    }

    @Test
    void anOnlineMergeAKilledDaemonLeftIsTakenUpAtItsNextStart() throws Exception {
        rebootWithTheTestGuest();
        String sr = defaultSr();
        String vdi = createVdi(sr, (MIB_MOVED + 16) * MIB, "counted across a restart");
        write(vdi, 0x5a, 1, MIB_MOVED);
        CountingGuest g = startCountingGuest(vdi);
        String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
        Path baseImage = image(baseCopies(sr).getFirst());
        var reached = new CountDownLatch(1);
        node.storage().coalescer().setStepHook(s -> {
            if (s != ChainMerges.Step.STREAMING) return;
            reached.countDown();
            throw new Killed(); // QEMU's job runs on, slowed down so that it outlives the daemon
        });
        System.setProperty("flotilla.coalesce-speed", Long.toString(8L << 20));
        try {
            call("VDI.destroy", session, snapshot);
            assertTrue(reached.await(30, TimeUnit.SECONDS));
        } finally {
            System.clearProperty("flotilla.coalesce-speed");
        }
        awaitIdle();
        assertEquals(2, layers(vdi), "the job still runs");
        node.close();
        boot(); // the VM runs on, its QEMU streaming: the collector waits for the job and finishes the merge
        awaitIdle();
        assertMergedUnder(g, sr, vdi, baseImage);
    }

    private long destroyAndAwaitIdle(String snapshot) throws InterruptedException {
        long t0 = System.nanoTime();
        call("VDI.destroy", session, snapshot);
        awaitIdle();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private void assertMerged(String sr, String vdi, Path baseImage) {
        assertEquals(1, layers(vdi), "the chain is one image again");
        assertEquals(List.of(), baseCopies(sr));
        assertFalse(Files.exists(baseImage));
    }

    /**
     * Merged under the counting guest: QEMU holds the disk's image alone, the guest counts on, the disk holds its last
     * count once it is shut down, and the base copy's bytes are the disk's.
     */
    private void assertMergedUnder(CountingGuest g, String sr, String vdi, Path baseImage) throws Exception {
        assertMerged(sr, vdi, baseImage);
        long pid = node.vmRuntime().pids().get(g.vm());
        assertEquals(List.of(image(vdi).toString()), openFiles(pid).stream().filter(f -> f.startsWith(localDir().toString())).distinct().toList(),
                "QEMU let the merged image go");
        long afterMerge = TestGuest.awaitCounts(g.serial(), 1).getLast();
        awaitCountBeyond(g, afterMerge + 5);
        // a count is printed once it is on the disk; the shutdown stops the counter between two writes (the log goes with the VM)
        long printed = TestGuest.awaitCounts(g.serial(), 1).getLast();
        call("VM.clean_shutdown", session, g.vm().value());
        long onDisk = Long.parseLong(counterOnDisk(vdi).substring("FLOTILLA-COUNTER ".length()));
        assertTrue(onDisk >= printed && onDisk < printed + 20, "the disk holds count " + onDisk + ", the guest had printed " + printed);
        read(vdi, 0x5a, 1, MIB_MOVED);
        run("qemu-img", "check", "-q", image(vdi).toString());
    }

    @Test
    void aPairThatWaitedForAVmIsMergedOnceItHalts() throws Exception {
        System.setProperty("flotilla.coalesce-interval-ms", "200");
        try {
            node.close();
            boot();
        } finally {
            System.clearProperty("flotilla.coalesce-interval-ms");
        }
        String sr = defaultSr();
        String vdi = createVdi(sr, 16 * MIB, "paused on");
        write(vdi, 0x11, 0, 1);
        String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
        Ref<VM> vm = VM.CLASS.ref(haltedGuestWith("paused", vdi, VbdType.Disk).vm());
        node.db().write(tx -> tx.set(vm, VM.power_state, VmPowerState.Paused)); // as a paused VM's record: no pass may touch its disk
        call("VDI.destroy", session, snapshot);
        awaitIdle();
        Thread.sleep(500);
        assertEquals(2, layers(vdi), "the pair waits while the VM is not halted");
        node.db().write(tx -> tx.set(vm, VM.power_state, VmPowerState.Halted));
        for (int i = 0; i < 100 && layers(vdi) == 2; i++) Thread.sleep(100);
        assertEquals(1, layers(vdi), "merged at the next interval's pass");
        read(vdi, 0x11, 0, 1);
    }

    /** A file system a test mounted. */
    private Path mounted;

    /** A guest a failed test left running is not left behind, nor a file system mounted; the node goes first. */
    @AfterEach
    void cleanUp() {
        if (node != null) node.vmRuntime().pids().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (mounted == null) return;
        if (node != null) node.close();
        node = null;
        run("umount", "-l", mounted.toString());
    }

    @Test
    void aMergeInterruptedByAKillIsFinishedOrRolledBackAtTheNextStart() throws Exception {
        for (ChainMerges.Step step : List.of(ChainMerges.Step.COMMITTED, ChainMerges.Step.RENAMED)) {
            String sr = defaultSr();
            String vdi = createVdi(sr, 16 * MIB, "interrupted at " + step);
            write(vdi, 0x11, 0, 8);
            String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
            write(vdi, 0x22, 0, 4);
            var reached = new CountDownLatch(1);
            node.storage().coalescer().setStepHook(s -> {
                if (s != step) return;
                reached.countDown();
                throw new Killed();
            });
            call("VDI.destroy", session, snapshot);
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the merge reached " + step);
            awaitIdle();
            String base = node.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().filter(v -> !v.get(VDI.managed))
                    .findFirst().map(DbObject::ref).orElseThrow();
            assertNotNull(node.db().require(VDI.CLASS.ref(base)).get(VDI.sm_config).get(ChainMerges.INTENT), "the intent is recorded");

            node.close();
            boot(); // the scan at plug settles it, the collector's first pass merges what is left
            awaitIdle();
            assertEquals(1, layers(vdi), "after a kill at " + step);
            assertEquals(List.of(), baseCopies(sr));
            read(vdi, 0x22, 0, 4);
            read(vdi, 0x11, 4, 4);
            run("qemu-img", "check", "-q", image(vdi).toString());
            assertEquals(List.of(), files(localDir()).stream().filter(f -> f.endsWith(".tmp")).toList());
        }
    }

    @Test
    void aBaseCopyThatTrackingStillReadsIsNotMerged() throws Exception {
        String sr = defaultSr();
        String vdi = createVdi(sr, 16 * MIB, "tracked");
        call("VDI.enable_cbt", session, vdi);
        write(vdi, 0x11, 0, 1);
        String s1 = (String) call("VDI.snapshot", session, vdi, Map.of());
        write(vdi, 0x22, 2, 1);
        String s2 = (String) call("VDI.snapshot", session, vdi, Map.of());
        write(vdi, 0x33, 4, 1);
        String changed = (String) call("VDI.list_changed_blocks", session, s1, vdi);
        String b1 = parentOf(s1);

        call("VDI.data_destroy", session, s1); // s1's record stays, naming b1: its changed blocks are read from b1's layer on
        call("VDI.destroy", session, s2);      // b2 is left with the disk alone: that pair goes
        awaitIdle();
        assertEquals(b1, parentOf(vdi), "the disk is built on the tracked layer directly");
        assertEquals(2, layers(vdi));
        assertEquals(b1, parentOf(s1));
        assertEquals(1, baseCopies(sr).size());
        assertEquals(changed, call("VDI.list_changed_blocks", session, s1, vdi), "the same changed blocks after the merge");
        read(vdi, 0x11, 0, 1);
        read(vdi, 0x22, 2, 1);
        read(vdi, 0x33, 4, 1);

        // a tracked snapshot kept while its disk goes: the layer it was taken on stays its own
        String other = createVdi(sr, 16 * MIB, "tracked too");
        call("VDI.enable_cbt", session, other);
        write(other, 0x44, 0, 1);
        String kept = (String) call("VDI.snapshot", session, other, Map.of());
        call("VDI.destroy", session, other);
        call("SR.scan", session, sr); // a scan asks for a pass too: still nothing to merge
        awaitIdle();
        assertEquals(b1, parentOf(s1));
        assertEquals(2, layers(vdi));
        assertEquals(2, layers(kept));
        read(kept, 0x44, 0, 1);
    }

    /** The baseline: a base and an overlay of the same sizes made and committed with qemu-img alone, in the same run. */
    private long handCommitMillis(Path where) throws IOException {
        Path base = where.resolve("hand-base.qcow2");
        Path top = where.resolve("hand-top.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), (MIB_MOVED + 16) + "M");
        run("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x11 0 " + MIB_MOVED + "M", base.toString());
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "qcow2", top.toString());
        run("qemu-io", "-f", "qcow2", "-c", "write -q -P 0x22 0 " + MIB_MOVED + "M", top.toString());
        long t0 = System.nanoTime();
        run("qemu-img", "commit", "-q", "-d", top.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Files.delete(top);
        Files.delete(base);
        return ms;
    }

    private void awaitIdle() throws InterruptedException {
        assertTrue(node.storage().coalescer().awaitIdle(Duration.ofSeconds(60)), "the collector went idle");
    }

    private int layers(String vdi) { return node.storage().attachment(VDI.CLASS.ref(vdi)).layers().size(); }

    private String parentOf(String vdi) {
        String location = VdiRecords.parentOf(node.db().require(VDI.CLASS.ref(vdi)));
        return node.db().all(VDI.CLASS).stream().filter(v -> v.get(VDI.location).equals(location)).findFirst().map(DbObject::ref).orElse(null);
    }

    private List<String> baseCopies(String sr) {
        return node.db().referring(VDI.SR, SR.CLASS.ref(sr)).stream().filter(v -> !v.get(VDI.managed)).map(DbObject::ref).toList();
    }

    /** {@code mib} MiB of {@code pattern} from MiB {@code at}, written through the VDI's chain as a guest would. */
    private void write(String vdi, int pattern, int at, int mib) { write(image(vdi), pattern, at, mib); }

    /** The same through the chain of the image at {@code image}, its backing files beside it. */
    static void write(Path image, int pattern, int at, int mib) {
        run("qemu-io", "-f", "qcow2", "-c", String.format("write -q -P 0x%x %dM %dM", pattern, at, mib), image.toString());
    }

    /** Fails unless the VDI's chain shows {@code pattern} over those MiB. */
    private void read(String vdi, int pattern, int at, int mib) { read(image(vdi), pattern, at, mib); }

    /** The same for the chain of the image at {@code image}. */
    static void read(Path image, int pattern, int at, int mib) {
        String out = run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", String.format("read -P 0x%x %dM %dM", pattern, at, mib), image.toString());
        assertFalse(out.contains("Pattern verification failed"), out);
    }

    private static long du(Path d) { return Long.parseLong(run("du", "-s", "-B1", d.toString()).split("\\s+")[0]); }

    private String counterOnDisk(String vdi) throws IOException { return counterOnDisk(node, dir, vdi); }

    /** The counter's line on the VDI, read by {@code n} through a raw copy in {@code scratch}. */
    static String counterOnDisk(org.flotilla.daemon.Node n, Path scratch, String vdi) throws IOException {
        Path raw = scratch.resolve("counter.raw");
        n.storage().exportRaw(VDI.CLASS.ref(vdi), raw);
        byte[] bytes = Files.readAllBytes(raw);
        Files.delete(raw);
        String sector = new String(bytes, 4096, 512, StandardCharsets.US_ASCII);
        return sector.substring(0, sector.indexOf('\n'));
    }

    private static void awaitCountBeyond(CountingGuest g, long count) throws Exception { awaitCountBeyond(g.serial(), count); }

    static void awaitCountBeyond(Path serial, long count) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (TestGuest.awaitCounts(serial, 1).getLast() >= count) return;
            Thread.sleep(50);
        }
        throw new AssertionError("the guest did not count to " + count);
    }

    private static List<String> openFiles(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.map(f -> {
                try {
                    return Files.readSymbolicLink(f).toString();
                } catch (IOException e) {
                    return "";
                }
            }).toList();
        }
    }
}

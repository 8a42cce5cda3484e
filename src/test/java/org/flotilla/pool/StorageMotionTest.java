package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.runtime.migration.MigrationReport;
import org.flotilla.storage.LocalFileSr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage XenMotion between two hosts of one database in one JVM, over loopback: a real guest counting on a disk in
 * host A's own SR, which B does not reach, moves to B with its disk copied into B's own SR while it runs
 * (VM.migrate_send with the map host.migrate_receive gave), or stays whole on A when the move fails.
 */
@Slow
class StorageMotionTest {
    private static final String HISTORY_MARK = "<v>12345.5</v>";

    @TempDir Path dir;
    NodesOnOneDatabase hosts;
    CountingGuests guests;
    Database db;
    Node a;
    Node b;
    String sa;
    String sb;
    Ref<SR> srA;
    Ref<SR> srB;

    @BeforeEach
    void twoHostsWithSrsOfTheirOwn() throws Exception {
        hosts = new NodesOnOneDatabase(dir);
        guests = new CountingGuests(hosts);
        db = hosts.db;
        List<Node> two = hosts.startForMigrations(2);
        a = two.get(0);
        b = two.get(1);
        sa = NodesOnOneDatabase.login(a);
        sb = NodesOnOneDatabase.login(b);
        srA = localSr(a.host());
        srB = localSr(b.host());
        assertNotEquals(srA, srB);
    }

    @AfterEach
    void cleanUp() { if (hosts != null) hosts.close(); }

    @Test
    void aRunningGuestMovesWithItsDiskToTheOtherHostsSr() throws Exception {
        a.vmRuntime().setMigrationPeers(h -> b.vmRuntime().migrationTarget());
        Ref<VM> vm = guests.start(a, 0, srA);
        Ref<VDI> before = diskOf(vm);
        // a snapshot whose disk stays in A's SR would be of no use to the VM on B: it goes along, as XAPI takes it
        Ref<VM> snapshot = VM.CLASS.ref((String) call(a, "VM.snapshot", sa, vm.value(), "before the move"));
        Ref<VDI> snapshotBefore = diskOf(snapshot);
        String snapshotCount = counterOnDisk(a.storage().attachment(snapshotBefore).image());
        Path imageBefore = a.storage().attachment(before).image();
        long pidA = a.vmRuntime().pids().get(vm);
        @SuppressWarnings("unchecked")
        var dest = (Map<String, String>) call(b, "host.migrate_receive", sb, b.hostRef(), managementNetwork(b.host()), Map.of());
        assertEquals(b.hostRef(), dest.get("host"));
        assertTrue(dest.get("SM").contains("/services/SM?session_id="), dest.toString());
        // the VM's disks must all be mapped: one mapped to its own SR stays there, which B does not reach
        ApiError unmapped = assertThrows(ApiError.class, () -> call(a, "VM.assert_can_migrate", sa, vm.value(), dest, true, Map.of(), Map.of(), Map.of()));
        assertEquals(List.of("VDI_NOT_IN_MAP", before.value()), unmapped.description(), unmapped.toString());
        ApiError unreachable = assertThrows(ApiError.class,
                () -> call(a, "VM.assert_can_migrate", sa, vm.value(), dest, true, Map.of(before.value(), srA.value()), Map.of(), Map.of()));
        assertEquals(List.of("VM_REQUIRES_SR", vm.value(), srA.value()), unreachable.description(), unreachable.toString());
        Map<String, String> vdiMap = Map.of(before.value(), srB.value());
        call(a, "VM.assert_can_migrate", sa, vm.value(), dest, true, vdiMap, Map.of(), Map.of());
        // the VM's history on A (its RRD), given a past of its own: a day's row marked in its coarsest archive, which
        // neither host's sampling touches within the test
        String uuid = db.require(vm).get(VM.uuid);
        a.metrics().sample();
        String history = a.metrics().of(uuid).orElseThrow();
        int lastUnknown = history.lastIndexOf("<v>NaN</v>");
        a.metrics().adopt(uuid, history.substring(0, lastUnknown) + HISTORY_MARK + history.substring(lastUnknown + "<v>NaN</v>".length()));

        long t0 = System.nanoTime();
        String task = (String) call(a, "Async.VM.migrate_send", sa, vm.value(), dest, true, vdiMap, Map.of(), Map.of());
        var progress = new ArrayList<Double>();
        String lastOnA = guests.serialDuring(0, vm, () -> {
            while ("pending".equals(call(a, "task.get_status", sa, task))) {
                progress.add((Double) call(a, "task.get_progress", sa, task));
                Thread.sleep(5);
            }
        });
        long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("success", call(a, "task.get_status", sa, task), String.valueOf(call(a, "task.get_error_info", sa, task)));
        assertTrue(((String) call(a, "task.get_result", sa, task)).contains(vm.value()), "the task's result is the VM");
        assertTrue(progress.stream().anyMatch(p -> p > 0.05 && p < 1), "the task's progress moved: " + progress);
        for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i) >= progress.get(i - 1), "progress only grows: " + progress);

        DbObject<VM> rec = db.require(vm);
        assertEquals(b.host(), rec.get(VM.resident_on), () -> db.record(vm).toString() + "\n" + call(a, "task.get_record", sa, task));
        assertEquals(VmPowerState.Running, rec.get(VM.power_state));
        assertFalse(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's QEMU is gone");
        Ref<VDI> after = diskOf(vm);
        assertNotEquals(before, after, "the VBD names the new VDI");
        assertEquals(srB, db.require(after).get(VDI.SR));
        assertEquals(16L << 20, db.require(after).get(VDI.virtual_size));
        assertFalse(db.exists(before), "the VDI left on A is destroyed");
        Ref<VDI> snapshotAfter = diskOf(snapshot);
        assertFalse(db.exists(snapshotBefore), "so is the snapshot's");
        assertEquals(srB, db.require(snapshotAfter).get(VDI.SR), "the snapshot's disk went along");
        assertTrue(db.require(snapshotAfter).get(VDI.is_a_snapshot));
        assertEquals(after, db.require(snapshotAfter).get(VDI.snapshot_of), "a snapshot of the VM's new disk");
        assertEquals(snapshotCount, counterOnDisk(b.storage().attachment(snapshotAfter).image()), "holding what it held");
        assertFalse(Files.exists(imageBefore), "and its image");
        PoolWaits.await(Duration.ofSeconds(30), "the blocks of the image left on A freed", () -> {
            try (var left = Files.list(imageBefore.getParent())) {
                return left.noneMatch(f -> f.getFileName().toString().endsWith(".destroy.tmp"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        // its history went with it, as XAPI sends a VM's RRD to its new host
        PoolWaits.await(Duration.ofSeconds(30), "the VM's history on B", () -> b.metrics().of(uuid).map(h -> h.contains(HISTORY_MARK)).orElse(false));

        // the guest did not boot again: its counter goes on from where it was on A, in memory and on the disk
        guests.awaitCounts(1, vm, 3);
        String onB = Files.readString(guests.serial(1, vm));
        assertFalse(onB.contains("FLOTILLA-GUEST up"), "the guest did not boot on B:\n" + onB);
        long lastA = CountingGuests.lastCount(lastOnA);
        long firstB = CountingGuests.firstCount(onB);
        assertTrue(lastA > 0 && firstB > lastA && firstB <= lastA + 3, "A counted to " + lastA + ", B went on from " + firstB);
        MigrationReport r = a.vmRuntime().lastMigration(vm);
        System.out.printf("migrate_send of a 128 MiB guest with a 16 MiB disk: %d ms by the call (prepare %d, disks %d, memory %d, switch-over %d); QEMU: %d ms downtime%n",
                wallMillis, r.prepareMillis(), r.disksMillis(), r.streamMillis(), r.switchoverMillis(), r.qemuDowntimeMillis());

        long lastB = CountingGuests.lastCount(guests.serialDuring(1, vm, () -> call(b, "VM.clean_shutdown", sb, vm.value())));
        assertTrue(lastB > firstB, "B counted to " + lastB);
        assertEquals("FLOTILLA-COUNTER " + lastB, counterOnDisk(b.storage().attachment(after).image()), "the disk on B holds the last count");
    }

    @Test
    void aFailedMoveLeavesTheGuestWholeOnTheSourceAndAHaltedOneMovesWithItsDisk() throws Exception {
        Ref<VM> vm = guests.start(a, 0, srA);
        Ref<VDI> disk = diskOf(vm);
        long pidA = a.vmRuntime().pids().get(vm);
        MigrationPeer real = b.vmRuntime().migrationTarget();
        var dest = Map.of("host", b.hostRef());
        Map<String, String> vdiMap = Map.of(disk.value(), srB.value());
        List<Ref<VDI>> onB = db.referring(VDI.SR, srB).stream().map(v -> v.self(VDI.CLASS)).toList();

        // B's QEMU dies while the disk is being copied to it
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                assertEquals(1, in.disks().size());
                ProcessHandle.of(b.vmRuntime().pids().get(vm)).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().join();
                });
                return in;
            }
        });
        ApiError e = assertThrows(ApiError.class, () -> call(a, "VM.migrate_send", sa, vm.value(), dest, true, vdiMap, Map.of(), Map.of()));
        assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
        assertEquals(List.of(vm.value(), a.hostRef(), b.hostRef()), e.description().subList(1, 4), e.toString());
        stillOnA(vm, pidA, disk, srB, onB);

        // B cannot run the guest once everything has come: the source, stopped by then, runs it again on its disk
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public long finish(String v, String token) {
                abort(v, token);
                throw ApiError.internal("the destination lost the guest");
            }
        });
        e = assertThrows(ApiError.class, () -> call(a, "VM.migrate_send", sa, vm.value(), dest, true, vdiMap, Map.of(), Map.of()));
        assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
        stillOnA(vm, pidA, disk, srB, onB);

        // halted, the VM's disk is copied to B's SR, over TLS (through a hop of the test's that looks for what the disk
        // holds), and the guest started there counts on from what it wrote on A
        long lastA = CountingGuests.lastCount(guests.serialDuring(0, vm, () -> call(a, "VM.clean_shutdown", sa, vm.value())));
        Path imageOnA = a.storage().attachment(disk).image();
        String written = "FLOTILLA-COUNTER " + lastA;
        try (var wire = new WireRecorder(written)) {
            a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
                @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                    IncomingStream in = super.prepare(v, disks, certificate);
                    return new IncomingStream(in.address(), in.port(), in.token(), wire.forwardTo(in.address(), in.disksPort()), in.disks(),
                            in.certificate());
                }
            });
            assertEquals(vm.value(), call(a, "VM.migrate_send", sa, vm.value(), dest, false, vdiMap, Map.of(), Map.of()));
            System.out.printf("StorageMotionTest: a halted VM's disk copy carried %d bytes%n", wire.carried());
            assertTrue(wire.carried() > 4096, "the disk crossed the hop (what the guest wrote, and TLS): " + wire.carried() + " bytes");
            assertFalse(wire.saw(written), "what the disk holds does not cross in clear");
        }
        assertEquals(VmPowerState.Halted, db.require(vm).get(VM.power_state));
        Ref<VDI> copy = diskOf(vm);
        assertEquals(srB, db.require(copy).get(VDI.SR));
        assertFalse(db.exists(disk), "the VDI left on A is destroyed");
        assertFalse(Files.exists(imageOnA), "and its image");
        assertEquals("FLOTILLA-COUNTER " + lastA, counterOnDisk(b.storage().attachment(copy).image()));
        call(b, "VM.start_on", sb, vm.value(), b.hostRef(), false, false);
        hosts.track(b.vmRuntime().pids().get(vm));
        guests.awaitCounts(1, vm, 2);
        assertEquals(lastA + 1, CountingGuests.firstCount(Files.readString(guests.serial(1, vm))), "the guest on B counts on from the disk");
    }

    /**
     * A suspended VM moves as XAPI's migrate_send moves one: nothing runs, its disk and its memory's VDI are copied to
     * B's SR (the memory to the SR its first disk goes to, the map naming no other), and it resumes on B where it was.
     */
    @Test
    void aSuspendedGuestMovesWithItsDiskAndMemoryAndResumesWhereItWas() throws Exception {
        a.vmRuntime().setMigrationPeers(h -> b.vmRuntime().migrationTarget());
        Ref<VM> vm = guests.start(a, 0, srA);
        Ref<VDI> disk = diskOf(vm);
        guests.awaitCounts(0, vm, 2);
        long lastA = CountingGuests.lastCount(guests.serialDuring(0, vm, () -> call(a, "VM.suspend", sa, vm.value())));
        Ref<VDI> memory = db.require(vm).get(VM.suspend_VDI);
        assertEquals(srA, db.require(memory).get(VDI.SR), "A suspends to its own SR");
        var dest = Map.of("host", b.hostRef());
        Map<String, String> vdiMap = Map.of(disk.value(), srB.value());
        call(a, "VM.assert_can_migrate", sa, vm.value(), dest, false, vdiMap, Map.of(), Map.of());

        assertEquals(vm.value(), call(a, "VM.migrate_send", sa, vm.value(), dest, false, vdiMap, Map.of(), Map.of()));
        DbObject<VM> rec = db.require(vm);
        assertEquals(VmPowerState.Suspended, rec.get(VM.power_state));
        Ref<VDI> memoryAfter = rec.get(VM.suspend_VDI);
        assertNotEquals(memory, memoryAfter);
        assertEquals(srB, db.require(memoryAfter).get(VDI.SR), "its memory went where its disk went");
        assertEquals(srB, db.require(diskOf(vm)).get(VDI.SR));
        assertFalse(db.exists(memory) || db.exists(disk), "the VDIs left on A are destroyed");

        call(b, "VM.resume_on", sb, vm.value(), b.hostRef(), false, false);
        hosts.track(b.vmRuntime().pids().get(vm));
        guests.awaitCounts(1, vm, 2);
        String onB = Files.readString(guests.serial(1, vm));
        assertFalse(onB.contains("FLOTILLA-GUEST up"), "the guest did not boot on B:\n" + onB);
        long firstB = CountingGuests.firstCount(onB);
        assertTrue(firstB > lastA && firstB <= lastA + 3, "A counted to " + lastA + ", B went on from " + firstB);
    }

    /**
     * B's SR has too little room for the disk, then fills up while the disk is being copied to it (a thin SR, on a
     * file system of 24 MiB, for a disk of 16 MiB of data): both moves fail, the guest runs on on A on its own disk,
     * and B's SR is as it was, its file system's space given back.
     */
    @Test
    void aDestinationSrWithoutRoomOrThatFillsUpDuringTheCopyFailsTheMoveAndKeepsNothing() throws Exception {
        Path small = dir.resolve("small-sr");
        Files.createDirectories(small);
        mount(small, "24m");
        try {
            MigrationPeer real = b.vmRuntime().migrationTarget();
            Ref<SR> full = SR.CLASS.ref((String) call(b, "SR.create", sb, b.hostRef(), Map.of("location", small.toString()), 0L, "small",
                    "", LocalFileSr.TYPE, "user", false, Map.of()));
            long freeBefore = Files.getFileStore(small).getUsableSpace();
            // a disk of data, not of zeros: QEMU's mirror writes zeros as metadata, which would never fill the SR
            Ref<VM> vm = guests.start(a, 0, srA, 16, v -> fill(a.storage().attachment(v).image()));
            Ref<VDI> disk = diskOf(vm);
            long pidA = a.vmRuntime().pids().get(vm);
            List<Ref<VDI>> onB = db.referring(VDI.SR, full).stream().map(v -> v.self(VDI.CLASS)).toList();
            Path filler = small.resolve("filler");

            // too little room to begin with: B refuses before anything moves
            a.vmRuntime().setMigrationPeers(h -> real);
            writeFiller(filler, freeBefore - (12L << 20));
            ApiError e = assertThrows(ApiError.class, () -> migrateTo(vm, disk, full));
            assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
            assertTrue(e.description().getLast().contains("SR_FULL"), e.toString());
            stillOnA(vm, pidA, disk, full, onB);
            Files.delete(filler);

            // room at first, then none: the file system fills up while the disk is on its way
            a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
                @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                    IncomingStream in = super.prepare(v, disks, certificate);
                    try {
                        writeFiller(filler, Files.getFileStore(small).getUsableSpace() - (2L << 20));
                    } catch (IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                    return in;
                }
            });
            e = assertThrows(ApiError.class, () -> migrateTo(vm, disk, full));
            assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
            assertEquals(List.of(vm.value(), a.hostRef(), b.hostRef()), e.description().subList(1, 4), e.toString());
            assertTrue(e.description().getLast().startsWith("MIRROR_FAILED"), "the copy began, and failed: " + e);
            stillOnA(vm, pidA, disk, full, onB);
            Files.delete(filler);
            assertEquals(freeBefore, Files.getFileStore(small).getUsableSpace(), "B's SR gave its space back");
            call(a, "VM.hard_shutdown", sa, vm.value());
        } finally {
            umount(small);
        }
    }

    private Object migrateTo(Ref<VM> vm, Ref<VDI> disk, Ref<SR> sr) {
        return call(a, "VM.migrate_send", sa, vm.value(), Map.of("host", b.hostRef()), true, Map.of(disk.value(), sr.value()), Map.of(), Map.of());
    }

    private static void writeFiller(Path file, long bytes) throws IOException {
        var chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 0x5a);
        try (var out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
    }

    private static void fill(Path image) { run("qemu-io", "-f", "qcow2", "-c", "write -P 0xa5 0 16M", image.toString()); }

    private static void mount(Path at, String size) {
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=755", "flotilla-small-sr", at.toString());
    }

    private static void umount(Path at) { run("umount", "-l", at.toString()); }

    /** Runs {@code cmd}, which must succeed. */
    private static void run(String... cmd) {
        TestCommand.Result r = TestCommand.run(List.of(cmd));
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.output());
    }

    private void stillOnA(Ref<VM> vm, long pidA, Ref<VDI> disk, Ref<SR> srOnB, List<Ref<VDI>> onBBefore) throws Exception {
        DbObject<VM> rec = db.require(vm);
        assertEquals(a.host(), rec.get(VM.resident_on));
        assertEquals(VmPowerState.Running, rec.get(VM.power_state));
        assertTrue(rec.get(VM.current_operations).isEmpty(), "no operation left listed");
        assertTrue(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's QEMU runs");
        assertEquals(disk, diskOf(vm), "on its own disk");
        assertTrue(Files.exists(a.storage().attachment(disk).image()));
        assertTrue(b.vmRuntime().pids().isEmpty(), "B follows no QEMU");
        assertEquals(onBBefore, db.referring(VDI.SR, srOnB).stream().map(v -> v.self(VDI.CLASS)).toList(), "B's SR kept no VDI made for the move");
        try (var files = Files.list(hosts.state(1).resolve("run"))) {
            assertEquals(0, files.count(), "B kept no run directory");
        } catch (java.nio.file.NoSuchFileException e) {
            // none made at all
        }
        guests.countsOn(0, vm);
    }

    private Ref<SR> localSr(Ref<Host> host) {
        return db.referring(PBD.host, host).stream().map(p -> p.get(PBD.SR))
                .filter(sr -> LocalFileSr.TYPE.equals(db.require(sr).get(SR.type)))
                .findFirst().orElseThrow();
    }

    private String managementNetwork(Ref<Host> host) {
        return db.referring(PIF.host, host).stream().filter(p -> Boolean.TRUE.equals(p.get(PIF.management))).findFirst()
                .or(() -> db.referring(PIF.host, host).stream().findFirst()).orElseThrow().get(PIF.network).value();
    }

    private Ref<VDI> diskOf(Ref<VM> vm) { return db.referring(VBD.VM, vm).getFirst().get(VBD.VDI); }

    private String counterOnDisk(Path image) throws IOException {
        Path raw = dir.resolve("counter.raw");
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        byte[] bytes = Files.readAllBytes(raw);
        Files.delete(raw);
        String sector = new String(bytes, 4096, 512, StandardCharsets.US_ASCII);
        return sector.substring(0, sector.indexOf('\n'));
    }

    static Object call(Node node, String method, Object... params) { return NodesOnOneDatabase.call(node, method, params); }
}

package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.Slow;
import org.flotilla.TestTimeouts;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * VM.pool_migrate between two real daemons (each in its network namespace, a pool on a shared {@code file} SR) when
 * things go wrong: the destination's daemon killed or its link cut while the memory moves, the source's daemon killed
 * once the guest runs on the destination, and migrations refused before anything moves. The guest's own output on its
 * serial console shows that it went on (its dirtied memory's pass count, or the count on its disk) and did not boot again.
 */
@Slow
@Execution(ExecutionMode.SAME_THREAD) // the cases take the one pool in turn
class PoolMigrateFailureTest {
    private static final long MIB = 1L << 20;
    /** A task ends within the stall bound (15 s), the destination's unheard abort (10 s) and a loaded machine's slack. */
    private static final Duration FAILED_WITHIN = Duration.ofSeconds(25 + 10L * TestTimeouts.LOADED);
    private static final Duration WAIT = Duration.ofSeconds(30L * TestTimeouts.LOADED);

    /** One pool for every case: each leaves it whole, or {@link SharedTestPool} forms another for the next. */
    private static final SharedTestPool POOL = new SharedTestPool(2, PoolMigrateFailureTest::sharedSrAsDefault);
    TestHosts pool;
    TestHost h0;
    TestHost h1;

    @BeforeEach
    void aPoolOfTwoOnASharedSr() throws Exception {
        pool = POOL.lend();
        h0 = pool.host(0);
        h1 = pool.host(1);
    }

    @AfterEach
    void giveBack() throws InterruptedException { POOL.giveBack(); }

    @AfterAll
    static void close() {
        System.out.printf("pools formed for the cases: %d%n", POOL.formed());
        POOL.close();
    }

    private static void sharedSrAsDefault(TestHosts pool) {
        TestHost h0 = pool.host(0);
        Path dir = pool.network().dir().resolve("shared");
        String sr = (String) h0.call("SR.create", h0.hostRef(), Map.of("location", dir.toString()), 0L, "shared", "",
                "file", "user", true, Map.of());
        h0.call("pool.set_default_SR", PoolWaits.firstPool(h0), sr);
    }

    @Test
    void theDestinationDaemonKilledWhileTheMemoryMovesLeavesTheGuestOnTheSource() throws Exception {
        Moving m = memoryMovingFromH0();
        h1.kill();

        assertMigrateFailed(h0, m.task, m.vm, h0, h1);
        wentOnOnH0(m);

        System.out.printf("the destination's incoming QEMU %s its daemon's restart%n", alive(m.pidOnDestination) ? "was left for" : "had ended before");
        h1.restart();
        PoolWaits.awaitMember(h1, 2, WAIT);
        assertFalse(alive(m.pidOnDestination), "the destination's QEMU is gone once its daemon is back");
        assertTrue(m.vm.qemusOn(h1).isEmpty(), "no QEMU of the VM on the destination: " + m.vm.qemusOn(h1));
        assertFalse(Files.exists(m.vm.runDir(h1)), "nor its run directory");
        stillOnSource(m.vm, h0, m.domid, m.pidOnSource);
        noRecordSays(h1);
    }

    @Test
    void aLinkCutWhileTheMemoryMovesFailsWithinTheStallBound() throws Exception {
        Moving m = memoryMovingFromH0();
        long cut = System.nanoTime();
        h1.cutLink();
        try {
            assertMigrateFailed(h0, m.task, m.vm, h0, h1);
            long millis = (System.nanoTime() - cut) / 1_000_000;
            System.out.printf("a migration over a cut link failed after %d ms%n", millis);
            assertTrue(millis < FAILED_WITHIN.toMillis(), "the task ended " + millis + " ms after the cut");
            wentOnOnH0(m);
            // the destination, which heard no abort, ends its half by itself once the stream has stalled
            PoolWaits.await(FAILED_WITHIN, "the destination's QEMU " + m.pidOnDestination + " to end", () -> !alive(m.pidOnDestination));
        } finally {
            h1.restoreLink();
        }
        PoolWaits.await(WAIT, "the destination to keep nothing of the VM", () -> m.vm.qemusOn(h1).isEmpty() && !Files.exists(m.vm.runDir(h1)));
        stillOnSource(m.vm, h0, m.domid, m.pidOnSource);
        noRecordSays(h1);
    }

    /** A guest dirtying its memory on h0, its migration to h1 under way (memory sent), and how it was before. */
    private record Moving(MigrationGuest vm, long domid, long pidOnSource, String task, long pidOnDestination, long lastPass) {}

    private Moving memoryMovingFromH0() {
        var vm = MigrationGuest.start(h0, h0, "dirtying", MigrationGuest.DIRTYING, 512 * MIB);
        vm.awaitSerial(h0, "DIRTY pass 64", WAIT);
        long domid = number(h0.call("VM.get_domid", vm.ref()));
        long pidOnSource = vm.qemuPid(h0);
        String task = (String) h0.call("Async.VM.pool_migrate", vm.ref(), h1.hostRef(), Map.of());
        awaitMemoryMoving(h0, task);
        return new Moving(vm, domid, pidOnSource, task, vm.qemuPid(h1), vm.lastDirtyPass(h0));
    }

    /** The guest as it was on h0, dirtying on from where it was, not booted again. */
    private void wentOnOnH0(Moving m) throws IOException {
        stillOnSource(m.vm, h0, m.domid, m.pidOnSource);
        m.vm.awaitSerial(h0, "DIRTY pass " + (m.lastPass + 128), WAIT);
        assertEquals(1, m.vm.boots(h0), "the guest did not boot again");
    }

    @Test
    void theSourceDaemonKilledAfterTheSwitchOverLeavesTheGuestOnTheDestination() throws Exception {
        var vm = MigrationGuest.start(h0, h1, "counting", MigrationGuest.COUNTING, 128 * MIB);
        vm.awaitSerial(h1, "COUNT 5", WAIT);
        long domidOnSource = number(h0.call("VM.get_domid", vm.ref()));
        long pidOnSource = vm.qemuPid(h1);

        // the source's console as it was last seen: its run directory goes with its QEMU
        var onSource = new AtomicReference<>("");
        Thread follower = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    String now = vm.serial(h1);
                    if (now.length() >= onSource.get().length()) onSource.set(now);
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                // the test has what it needs
            }
        });
        h1.call("Async.VM.pool_migrate", vm.ref(), h0.hostRef(), Map.of());
        try {
            vm.awaitSerial(h0, "COUNT", WAIT);
            h1.kill();
        } finally {
            follower.interrupt();
            follower.join();
        }
        long lastOnSource = MigrationGuest.lastCount(onSource.get());
        System.out.printf("the source's daemon was killed %s its QEMU had ended%n", alive(pidOnSource) ? "before" : "after");

        PoolWaits.await(WAIT, "the records to say the VM runs on the destination", () -> h0.hostRef().equals(h0.call("VM.get_resident_on", vm.ref())));
        assertEquals("Running", h0.call("VM.get_power_state", vm.ref()));
        long domid = number(h0.call("VM.get_domid", vm.ref()));
        assertNotEquals(domidOnSource, domid, "the destination numbered the domain");
        long pidOnDestination = vm.qemuPid(h0);

        h1.restart();
        PoolWaits.awaitMember(h1, 2, WAIT);
        assertFalse(alive(pidOnSource), "the source's QEMU ended");
        assertTrue(vm.qemusOn(h1).isEmpty(), "the source's restart started nothing of the VM: " + vm.qemusOn(h1));
        assertFalse(Files.exists(vm.runDir(h1)), "nor kept its run directory");
        assertEquals(h0.hostRef(), h1.call("VM.get_resident_on", vm.ref()));
        assertEquals("Running", h1.call("VM.get_power_state", vm.ref()));
        assertEquals(domid, number(h1.call("VM.get_domid", vm.ref())));
        assertTrue(alive(pidOnDestination), "the guest's QEMU on the destination runs on");
        assertEquals(List.of(pidOnDestination), vm.qemusOn(h0));

        long firstOnDestination = vm.firstCount(h0);
        assertTrue(lastOnSource > 0 && firstOnDestination > lastOnSource && firstOnDestination <= lastOnSource + 3,
                "the source counted to " + lastOnSource + ", the destination went on from " + firstOnDestination);
        vm.awaitSerial(h0, "COUNT " + (vm.lastCount(h0) + 5), WAIT);
        assertEquals(0, vm.boots(h0), "the guest did not boot on the destination");
        noRecordSays(h1);
    }

    @Test
    void migrationsThatCannotSucceedAreRefusedBeforeAnythingMoves() throws Exception {
        var vm = MigrationGuest.start(h0, h0, "refused", MigrationGuest.COUNTING, 128 * MIB);
        long domid = number(h0.call("VM.get_domid", vm.ref()));
        long pid = vm.qemuPid(h0);

        h0.call("host.disable", h1.hostRef());
        ApiError disabled = assertThrows(ApiError.class, () -> h0.call("VM.pool_migrate", vm.ref(), h1.hostRef(), Map.of()));
        assertEquals(List.of("HOST_DISABLED", h1.hostRef()), disabled.description(), disabled.toString());
        h0.call("host.enable", h1.hostRef());
        stillOnSource(vm, h0, domid, pid);
        assertTrue(vm.qemusOn(h1).isEmpty());

        // the destination's memory taken by a paused VM nearly as large as all it has, the mover larger than what is left
        long free = freeMemory(h1);
        var ballast = MigrationGuest.start(h0, h1, "ballast", MigrationGuest.COUNTING, free / 10 * 6 / MIB * MIB, true);
        var big = MigrationGuest.start(h0, h0, "big", MigrationGuest.COUNTING, free / 10 * 5 / MIB * MIB);
        long bigDomid = number(h0.call("VM.get_domid", big.ref()));
        ApiError memory = assertThrows(ApiError.class, () -> h0.call("VM.pool_migrate", big.ref(), h1.hostRef(), Map.of()));
        assertEquals("HOST_NOT_ENOUGH_FREE_MEMORY", memory.code(), memory.toString());
        assertEquals(3, memory.description().size(), memory.toString());
        assertTrue(Long.parseLong(memory.description().get(1)) > Long.parseLong(memory.description().get(2)), memory.toString());
        stillOnSource(big, h0, bigDomid, big.qemuPid(h0));
        assertTrue(big.qemusOn(h1).isEmpty());
        h0.call("VM.hard_shutdown", big.ref());
        h0.call("VM.hard_shutdown", ballast.ref());

        h0.call("VM.hard_shutdown", vm.ref());
        ApiError halted = assertThrows(ApiError.class, () -> h0.call("VM.pool_migrate", vm.ref(), h1.hostRef(), Map.of()));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm.ref(), "running", "halted"), halted.description(), halted.toString());
        assertEquals("Halted", h0.call("VM.get_power_state", vm.ref()));
        assertTrue(vm.qemusOn(h0).isEmpty() && vm.qemusOn(h1).isEmpty());
    }

    /** Waits until the task has reported memory sent (progress past the 10% at which the stream starts). */
    private static void awaitMemoryMoving(TestHost h, String task) {
        PoolWaits.await(WAIT, "task " + task + " to move memory", () -> {
            if (!"pending".equals(h.call("task.get_status", task))) throw new AssertionError("the migration ended: " + h.call("task.get_record", task));
            return ((Number) h.call("task.get_progress", task)).doubleValue() >= 0.12;
        });
    }

    private static void assertMigrateFailed(TestHost h, String task, MigrationGuest vm, TestHost source, TestHost destination) {
        PoolWaits.await(WAIT, "task " + task + " to end", () -> !List.of("pending", "cancelling").contains(h.call("task.get_status", task)));
        assertEquals("failure", h.call("task.get_status", task), () -> String.valueOf(h.call("task.get_record", task)));
        List<?> error = (List<?>) h.call("task.get_error_info", task);
        assertEquals("VM_MIGRATE_FAILED", error.getFirst(), error.toString());
        assertEquals(List.of(vm.ref(), source.hostRef(), destination.hostRef()), error.subList(1, 4), error.toString());
        assertEquals(5, error.size(), error.toString());
    }

    /** The VM as it was on {@code h}: running, the same QEMU and domain id, no operation listed. */
    private static void stillOnSource(MigrationGuest vm, TestHost h, long domid, long pid) throws IOException {
        assertEquals(h.hostRef(), h.call("VM.get_resident_on", vm.ref()));
        assertEquals("Running", h.call("VM.get_power_state", vm.ref()));
        assertEquals(domid, number(h.call("VM.get_domid", vm.ref())));
        assertEquals(Map.of(), h.call("VM.get_current_operations", vm.ref()));
        assertEquals(List.of(pid), vm.qemusOn(h));
    }

    /** No VM but the host's own control domain is recorded on {@code h}. */
    private void noRecordSays(TestHost h) {
        var vms = (Map<?, ?>) h0.call("VM.get_all_records");
        vms.forEach((ref, rec) -> {
            var r = (Map<?, ?>) rec;
            if (!Boolean.TRUE.equals(r.get("is_control_domain"))) {
                assertNotEquals(h.hostRef(), r.get("resident_on"), "VM " + r.get("name_label") + " is recorded on " + h);
            }
        });
    }

    private static long freeMemory(TestHost h) {
        String metrics = (String) h.call("host.get_metrics", h.hostRef());
        return number(h.call("host_metrics.get_memory_free", metrics));
    }

    /** An int of the XenAPI, which XML-RPC carries as a string. */
    static long number(Object o) { return Long.parseLong(String.valueOf(o)); }

    private static boolean alive(long pid) { return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); }

}

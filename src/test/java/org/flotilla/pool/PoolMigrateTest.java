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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.Slow;
import org.flotilla.TestTimeouts;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.runtime.migration.MigrationReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VM.pool_migrate between two hosts of one database in one JVM, the stream over loopback: a real guest whose
 * disk is on host A's SR directory, which host B opens too (a PBD of B's on the same directory, standing in for
 * shared storage), moves from A to B with its memory, or stays on A when the migration fails.
 */
@Slow
class PoolMigrateTest {
    @TempDir Path dir;
    NodesOnOneDatabase hosts;
    CountingGuests guests;
    Database db;
    Node a;
    Node b;
    String sa;
    String sb;

    @BeforeEach
    void twoHostsReachingOneSr() throws Exception {
        hosts = new NodesOnOneDatabase(dir);
        guests = new CountingGuests(hosts);
        db = hosts.db;
        List<Node> two = hosts.startForMigrations(2);
        a = two.get(0);
        b = two.get(1);
        sa = login(a);
        sb = login(b);
        Ref<SR> sr = SR.CLASS.ref((String) call(a, "pool.get_default_SR", sa, a.poolRef()));
        DbObject<PBD> pbdOfA = db.referring(PBD.SR, sr).getFirst();
        String pbd = Refs.newRef();
        var f = new LinkedHashMap<String, Object>();
        f.put("uuid", Refs.newUuid());
        f.put("host", b.hostRef());
        f.put("SR", sr.value());
        f.put("device_config", pbdOfA.get(PBD.device_config));
        f.put("currently_attached", false);
        f.put("other_config", Map.of());
        db.write(tx -> tx.put(PBD.CLASS.name(), pbd, f));
        call(b, "PBD.plug", sb, pbd);
    }

    @AfterEach
    void cleanUp() { if (hosts != null) hosts.close(); }

    @Test
    void aRunningGuestMovesToTheOtherHostWithItsMemory() throws Exception {
        a.vmRuntime().setMigrationPeers(h -> b.vmRuntime().migrationTarget());
        Ref<VM> vm = countingGuestOnA();
        long pidA = a.vmRuntime().pids().get(vm);
        long domidA = db.require(vm).get(VM.domid);
        var lastOnA = new AtomicReference<String>("");
        Thread watcher = Thread.ofVirtual().start(() -> CountingGuests.follow(serial(0, vm), lastOnA));

        long t0 = System.nanoTime();
        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        watcher.interrupt();
        watcher.join();

        DbObject<VM> rec = db.require(vm);
        assertEquals(b.host(), rec.get(VM.resident_on), "the records say B");
        assertEquals(VmPowerState.Running, rec.get(VM.power_state));
        assertNotEquals(domidA, rec.get(VM.domid), "B numbered the domain");
        assertEquals(rec.get(VM.domid), a.vmRuntime().lastMigration(vm).destinationDomid());
        assertTrue(a.vmRuntime().pids().isEmpty(), "A follows no QEMU");
        awaitGone(pidA);
        assertFalse(Files.exists(runDir(0, vm)), "and its run directory");

        long pidB = b.vmRuntime().pids().get(vm);
        int uid = b.vmRuntime().domains().get(vm).uid;
        assertEquals(uid, processUid(pidB), "QEMU runs as the uid of B's jail for its domain");
        assertTrue(Files.readString(Path.of("/proc/" + pidB + "/cgroup")).contains(db.require(b.host()).get(Host.uuid)), "in B's cgroup");
        // the same directory, not the same name: inside a chroot the link reads as the path seen from outside it
        assertTrue(Files.isSameFile(Path.of("/proc/" + pidB + "/root"), hosts.state(1).resolve("jail")),
                "chrooted into B's jail, not " + Files.readSymbolicLink(Path.of("/proc/" + pidB + "/root")));

        // the guest was not booted again: no boot line on B, and its counter goes on from where it was on A
        awaitCounts(1, vm, 3);
        String onB = Files.readString(serial(1, vm));
        assertFalse(onB.contains("FLOTILLA-GUEST up"), "the guest did not boot on B:\n" + onB);
        long lastA = CountingGuests.lastCount(lastOnA.get());
        long firstB = CountingGuests.firstCount(onB);
        assertTrue(lastA > 0 && firstB > lastA && firstB <= lastA + 3, "A counted to " + lastA + ", B went on from " + firstB);

        MigrationReport r = a.vmRuntime().lastMigration(vm);
        System.out.printf("pool_migrate of a 128 MiB guest: %d ms by the call (prepare %d, stream %d, switch-over %d); QEMU: %d ms, %d ms downtime, %d bytes of memory%n",
                wallMillis, r.prepareMillis(), r.streamMillis(), r.switchoverMillis(), r.qemuTotalMillis(), r.qemuDowntimeMillis(), r.ramBytes());
        assertTrue(r.qemuDowntimeMillis() >= 0 && r.qemuDowntimeMillis() < 5000, "downtime " + r.qemuDowntimeMillis());

        call(b, "VM.clean_shutdown", sb, vm.value());
        assertEquals(VmPowerState.Halted, db.require(vm).get(VM.power_state));
        assertFalse(ProcessHandle.of(pidB).map(ProcessHandle::isAlive).orElse(false), "B's QEMU ended with the guest");
        ApiError halted = assertThrows(ApiError.class, () -> call(b, "VM.pool_migrate", sb, vm.value(), a.hostRef(), Map.of()));
        assertEquals("VM_BAD_POWER_STATE", halted.code(), halted.toString());
    }

    @Test
    void aFinishWhoseAnswerIsLostLeavesTheGuestRunningOnTheDestinationOnly() throws Exception {
        Ref<VM> vm = countingGuestOnA();
        long pidA = a.vmRuntime().pids().get(vm);
        MigrationPeer real = b.vmRuntime().migrationTarget();
        // B runs the guest, and its answer never reaches A: A's abort learns that the guest is B's now
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public long finish(String v, String token) {
                super.finish(v, token);
                throw ApiError.internal("the answer was lost on the way");
            }
        });
        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        assertEquals(b.host(), db.require(vm).get(VM.resident_on));
        assertEquals(VmPowerState.Running, db.require(vm).get(VM.power_state));
        assertTrue(a.vmRuntime().pids().isEmpty(), "A follows no QEMU");
        awaitGone(pidA);
        assertTrue(b.vmRuntime().pids().containsKey(vm), "B runs it");
        awaitCounts(1, vm, 3);
        assertFalse(Files.readString(serial(1, vm)).contains("FLOTILLA-GUEST up"), "the guest did not boot again on B");

        // and when the abort does not get through either, the pool's records tell A where the guest runs
        b.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(a.vmRuntime().migrationTarget()) {
            @Override public long finish(String v, String token) {
                super.finish(v, token);
                throw ApiError.internal("the answer was lost on the way");
            }
            @Override public boolean abort(String v, String token) { throw ApiError.internal("the destination cannot be reached"); }
        });
        long pidB = b.vmRuntime().pids().get(vm);
        call(b, "VM.pool_migrate", sb, vm.value(), a.hostRef(), Map.of());
        assertEquals(a.host(), db.require(vm).get(VM.resident_on));
        assertTrue(b.vmRuntime().pids().isEmpty(), "B follows no QEMU");
        awaitGone(pidB);
        awaitCounts(0, vm, 3);
        call(a, "VM.hard_shutdown", sa, vm.value());
    }

    @Test
    void evacuatingTheHostMovesItsGuestLive() throws Exception {
        a.vmRuntime().setMigrationPeers(h -> b.vmRuntime().migrationTarget());
        Ref<SR> sr = SR.CLASS.ref((String) call(a, "pool.get_default_SR", sa, a.poolRef()));
        // storage both hosts reach is shared storage: what makes a VM agile, which evacuation asks of it
        db.write(tx -> tx.set(sr, SR.shared, true));
        Ref<VM> vm = countingGuestOnA();
        long pidA = a.vmRuntime().pids().get(vm);

        call(a, "host.evacuate", sa, a.hostRef());

        assertEquals(b.host(), db.require(vm).get(VM.resident_on));
        awaitGone(pidA);
        awaitCounts(1, vm, 3);
        assertFalse(Files.readString(serial(1, vm)).contains("FLOTILLA-GUEST up"), "the guest did not boot on B");
    }

    @Test
    void aFailedMigrationLeavesTheGuestRunningOnTheSourceAndNothingOnTheDestination() throws Exception {
        Ref<VM> vm = countingGuestOnA();
        long pidA = a.vmRuntime().pids().get(vm);
        long domidA = db.require(vm).get(VM.domid);
        MigrationPeer real = b.vmRuntime().migrationTarget();

        // the destination cannot be reached (a daemon's peers until they are wired)
        ApiError e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertMigrateFailed(e, vm);
        assertTrue(e.description().get(4).contains("CANNOT_CONTACT_HOST " + b.hostRef()), e.toString());
        stillOnA(vm, pidA, domidA);

        // the destination cannot prepare
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) { throw ApiError.of("HOST_NOT_ENOUGH_FREE_MEMORY", "1", "0"); }
        });
        e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertMigrateFailed(e, vm);
        stillOnA(vm, pidA, domidA);

        // a stream without the destination's token is not let in (nor does a wrong token finish or abort anything)
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            String token;
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                token = in.token();
                return new IncomingStream(in.address(), in.port(), "0".repeat(in.token().length()), in.disksPort(), in.disks(), in.certificate());
            }
            @Override public long finish(String v, String wrong) { throw new AssertionError("a stream without the token was let in"); }
            @Override public boolean abort(String v, String wrong) {
                assertFalse(super.abort(v, wrong));
                assertTrue(b.vmRuntime().pids().containsKey(vm), "a wrong token aborts nothing");
                return super.abort(v, token);
            }
        });
        e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertMigrateFailed(e, vm);
        stillOnA(vm, pidA, domidA);

        // the destination's QEMU is killed once it waits for the stream
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                long pid = b.vmRuntime().pids().get(vm);
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().join();
                });
                return in;
            }
        });
        e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertMigrateFailed(e, vm);
        stillOnA(vm, pidA, domidA);
        countsOnA(vm);

        // the whole stream went, then the destination fails to run the guest: the source, stopped by then, runs it again
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public long finish(String v, String token) {
                abort(v, token);
                throw ApiError.internal("the destination lost the guest");
            }
        });
        e = assertThrows(ApiError.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertMigrateFailed(e, vm);
        assertTrue(e.description().get(4).contains("the destination lost the guest"), e.toString());
        stillOnA(vm, pidA, domidA);
        countsOnA(vm);

        // the task is cancelled once the destination is ready
        var cancelled = new CountDownLatch(1);
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public IncomingStream prepare(String v, Map<String, String> disks, String certificate) {
                IncomingStream in = super.prepare(v, disks, certificate);
                try {
                    cancelled.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                return in;
            }
        });
        String task = (String) call(a, "Async.VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        call(a, "task.cancel", sa, task);
        cancelled.countDown();
        awaitTaskEnd(task);
        assertEquals("cancelled", call(a, "task.get_status", sa, task));
        assertEquals(List.of("TASK_CANCELLED", task), call(a, "task.get_error_info", sa, task));
        stillOnA(vm, pidA, domidA);
        countsOnA(vm);
    }

    @Test
    void aSourceRestartedAfterTheSwitchOverEndsItsQemuAndLeavesTheGuestWhereItRuns() throws Exception {
        Ref<VM> vm = countingGuestOnA();
        long pidA = a.vmRuntime().pids().get(vm);
        MigrationPeer real = b.vmRuntime().migrationTarget();
        // the guest runs on B, then A's toolstack goes before it has ended its own QEMU (an Error passes its handlers by)
        a.vmRuntime().setMigrationPeers(h -> new ForwardingPeer(real) {
            @Override public long finish(String v, String token) {
                super.finish(v, token);
                throw new ToolstackGone();
            }
        });
        assertThrows(Throwable.class, () -> call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of()));
        assertTrue(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's QEMU, its guest sent away, is left");
        long pidB = b.vmRuntime().pids().get(vm);
        long domidB = db.require(vm).get(VM.domid);
        hosts.stop(0);

        a = hosts.start(0);
        assertFalse(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's restart ended the QEMU it had sent the guest from");
        assertFalse(Files.exists(runDir(0, vm)), "and its run directory");
        assertTrue(a.vmRuntime().pids().isEmpty(), "A follows no QEMU");
        DbObject<VM> rec = db.require(vm);
        assertEquals(b.host(), rec.get(VM.resident_on), "the records still say B");
        assertEquals(VmPowerState.Running, rec.get(VM.power_state));
        assertEquals(domidB, rec.get(VM.domid));
        assertEquals(Map.of(vm, pidB), b.vmRuntime().pids());
        awaitCounts(1, vm, 3);
    }

    private void awaitTaskEnd(String task) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * TestTimeouts.LOADED).toNanos();
        while (List.of("pending", "cancelling").contains(call(a, "task.get_status", sa, task))) {
            if (System.nanoTime() > deadline) throw new AssertionError("task " + task + " still pending");
            Thread.sleep(20);
        }
    }

    private void countsOnA(Ref<VM> vm) throws IOException, InterruptedException { guests.countsOn(0, vm); }

    private void assertMigrateFailed(ApiError e, Ref<VM> vm) {
        assertEquals("VM_MIGRATE_FAILED", e.code(), e.toString());
        assertEquals(List.of(vm.value(), a.hostRef(), b.hostRef()), e.description().subList(1, 4), e.toString());
    }

    private void stillOnA(Ref<VM> vm, long pidA, long domidA) {
        DbObject<VM> rec = db.require(vm);
        assertEquals(a.host(), rec.get(VM.resident_on));
        assertEquals(VmPowerState.Running, rec.get(VM.power_state));
        assertEquals(domidA, rec.get(VM.domid));
        assertTrue(rec.get(VM.current_operations).isEmpty(), "no operation left listed");
        assertTrue(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's QEMU runs");
        assertEquals(Map.of(vm, pidA), a.vmRuntime().pids());
        assertTrue(b.vmRuntime().pids().isEmpty(), "B follows no QEMU");
        assertFalse(Files.exists(runDir(1, vm)), "B kept no run directory");
    }

    /** What a toolstack that is killed does next: nothing. */
    private static final class ToolstackGone extends Error {}

    /** A guest on A that counts on its disk (an image in A's SR) and on its serial console. */
    private Ref<VM> countingGuestOnA() throws Exception {
        return guests.start(a, 0, SR.CLASS.ref((String) call(a, "pool.get_default_SR", sa, a.poolRef())));
    }

    /** A's QEMU has quit, and is reaped a moment later by the daemon's reaper thread, not by the call itself. */
    private static void awaitGone(long pid) {
        PoolWaits.await(Duration.ofSeconds(10), "A's QEMU to be gone", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    static Object call(Node node, String method, Object... params) { return NodesOnOneDatabase.call(node, method, params); }

    static String login(Node node) { return NodesOnOneDatabase.login(node); }

    private Path runDir(int host, Ref<VM> vm) { return guests.runDir(host, vm); }

    private Path serial(int host, Ref<VM> vm) { return guests.serial(host, vm); }

    private void awaitCounts(int host, Ref<VM> vm, int n) throws InterruptedException, IOException { guests.awaitCounts(host, vm, n); }

    private static int processUid(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[1]);
        }
        throw new AssertionError("no Uid in /proc/" + pid + "/status");
    }
}

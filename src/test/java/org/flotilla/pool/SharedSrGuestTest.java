package org.flotilla.pool;

import static org.flotilla.pool.ForwardingNodes.call;
import static org.flotilla.pool.SharedDatabaseTest.login;
import static org.flotilla.pool.SharedDatabaseTest.vdiArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.flotilla.TestDomainIds;
import org.flotilla.TestTimeouts;
import org.flotilla.daemon.Node;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real guest on a disk of a shared SR: it counts on its disk on one host, is refused a start on the other while it
 * runs, and after a hard shutdown boots on the other host and counts on from the same disk.
 */
@Slow
class SharedSrGuestTest {
    private static final Pattern COUNT = Pattern.compile("COUNT (\\d+)\\r?\\n");

    @TempDir Path dir;
    ForwardingNodes pool;
    final List<Long> qemus = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Node n : pool.nodes) if (n != null) qemus.addAll(n.vmRuntime().pids().values());
        pool.close();
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
        for (int i = 0; i < 2; i++) TestDomainIds.removeTaps(dir.resolve("host" + i));
    }

    @Test
    void aGuestCountsOnItsSharedDiskOnOneHostThenOnTheOther() throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        pool = new ForwardingNodes(dir, "10.249.3");
        Node a = pool.start(0);
        Node b = pool.start(1);
        Ref<SR> sr = SharedSrTest.createShared(a, dir.resolve("shared"));
        String sa = login(a);
        String sb = login(b);
        var disk = vdiArgs(sr, "counter's disk");
        disk.put("virtual_size", 16L << 20);
        Ref<VDI> vdi = VDI.CLASS.ref((String) call(b, "VDI.create", sb, disk));
        // a guest that counts on its one disk every 50 ms
        Ref<VM> vm = SharedSrTest.vmWithDisk(pool.db,
                TestGuest.vmFields("counter", 128, "console=ttyS0 quiet panic=-1 flotilla.mode=counter flotilla.counter_ms=50"), vdi);
        String uuid = pool.db.require(vm).get(VM.uuid);
        b.vmRuntime().refreshAllowedOperations();

        call(b, "VM.start_on", sb, vm.value(), b.hostRef(), false, false);
        qemus.add(b.vmRuntime().pids().get(vm));
        Path serialOnB = dir.resolve("host1").resolve("run").resolve(uuid).resolve("serial.log");
        awaitCount(serialOnB, 5);
        assertEquals(b.host(), pool.db.require(vm).get(VM.resident_on));
        assertEquals("VM_BAD_POWER_STATE", SharedDatabaseTest.fails(a, "VM.start_on", sa, vm.value(), a.hostRef(), false, false).code(),
                "one host at a time writes the disk");
        assertTrue(a.vmRuntime().pids().isEmpty());

        // the run directory goes with the domain: what B counted is read before
        long lastOnB = counts(Files.readString(serialOnB)).getLast();
        call(b, "VM.hard_shutdown", sb, vm.value());
        assertEquals(VmPowerState.Halted, pool.db.require(vm).get(VM.power_state));

        // asked of B, the start on A is A's: forwarded there
        call(b, "VM.start_on", sb, vm.value(), a.hostRef(), false, false);
        assertEquals(a.host(), pool.db.require(vm).get(VM.resident_on));
        qemus.add(a.vmRuntime().pids().get(vm));
        assertTrue(b.vmRuntime().pids().isEmpty());
        Path serialOnA = dir.resolve("host0").resolve("run").resolve(uuid).resolve("serial.log");
        long firstOnA = awaitCount(serialOnA, 1).getFirst();
        assertTrue(firstOnA > lastOnB, "A counts on from what B wrote: " + firstOnA + " after " + lastOnB);

        call(a, "VM.hard_shutdown", sa, vm.value());
        assertEquals(VmPowerState.Halted, pool.db.require(vm).get(VM.power_state));
        assertFalse(qemus.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    private static List<Long> counts(String serial) {
        var out = new ArrayList<Long>();
        Matcher m = COUNT.matcher(serial);
        while (m.find()) out.add(Long.parseLong(m.group(1)));
        return out;
    }

    /** The counts printed once at least {@code atLeast} are. */
    private static List<Long> awaitCount(Path serial, int atLeast) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * TestTimeouts.LOADED).toNanos();
        while (true) {
            String text = Files.exists(serial) ? Files.readString(serial) : "";
            List<Long> counts = counts(text);
            if (counts.size() >= atLeast) return counts;
            if (System.nanoTime() > deadline) throw new AssertionError("the guest did not count:\n" + text);
            Thread.sleep(50);
        }
    }
}

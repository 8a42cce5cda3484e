package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.flotilla.Slow;
import org.flotilla.db.DbObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Guests whose kernel panics (the test guest's panic mode, told to QEMU by pvpanic) and actions_after_crash. */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmCrashTest extends OnAVmHost {
    private static final Duration BOOT = Duration.ofSeconds(30 * LOADED);
    private static final String PANIC_LINE = "Kernel panic - not syncing";

    String crashingVm(String name, String action) {
        String vm = h.newVm(name, "panic");
        h.call("VM.set_actions_after_crash", vm, action);
        assertEquals(action, h.vm(vm).get("actions_after_crash"));
        return vm;
    }

    List<DbObject<?>> crashAlerts(String vm) {
        String uuid = (String) h.vm(vm).get("uuid");
        return h.node.db().where("message", m -> uuid.equals(m.get("obj_uuid")) && "VM_CRASHED".equals(m.get("name")));
    }

    void awaitCrashAlert(String vm) throws InterruptedException {
        VmHost.await(() -> !crashAlerts(vm).isEmpty(), BOOT, "a VM_CRASHED message");
    }

    @Test
    void restartBootsTheGuestAgainAsANewDomain() throws Exception {
        h.node.vmRuntime().setCrashRestartGuard(Duration.ZERO);
        String vm = crashingVm("restarts", "restart");
        // with a disk the guest panics once: the marker it leaves there makes the second boot stay up
        h.newVbd(vm, h.newVdi("marker", 8), "0", "Disk");
        h.call("VM.start", vm, false, false);
        long firstDomid = (Long) h.vm(vm).get("domid");
        long pid = h.pid(vm);
        h.awaitSerial(vm, "FLOTILLA-GUEST panicked already", 1, BOOT.multipliedBy(2));
        String serial = h.serial(vm);
        assertEquals(2, VmHost.occurrences(serial, "FLOTILLA-GUEST up"), serial);
        assertEquals(1, VmHost.occurrences(serial, PANIC_LINE), serial);
        assertEquals("Running", h.power(vm));
        assertNotEquals(firstDomid, h.vm(vm).get("domid"), "a new domain");
        assertEquals(pid, h.pid(vm), "booted again in the same QEMU");
        assertEquals("running", h.qmp(vm).execute("query-status").path("status").asText());
        assertEquals(1, crashAlerts(vm).size());
        assertEquals(2L, crashAlerts(vm).getFirst().get("priority"));
        h.call("VM.hard_shutdown", vm);
    }

    @Test
    void destroyHaltsPreservePausesAndARestartTooSoonHalts() throws Exception {
        String destroyed = crashingVm("destroyed", "destroy");
        String preserved = crashingVm("preserved", "preserve");
        String tooSoon = crashingVm("restarts too soon", "restart"); // the default guard: 120 s
        for (String vm : List.of(destroyed, preserved, tooSoon)) h.call("VM.start", vm, false, false);
        long destroyedPid = h.pid(destroyed);

        VmHost.await(() -> "Halted".equals(h.power(destroyed)), BOOT, "the destroyed VM to be Halted");
        // the record may change a moment before the daemon collects the exited QEMU's status (a zombie still "is")
        VmHost.await(() -> !ProcessHandle.of(destroyedPid).map(ProcessHandle::isAlive).orElse(false), Duration.ofSeconds(10), "its QEMU to be gone");
        awaitCrashAlert(destroyed);

        VmHost.await(() -> "Paused".equals(h.power(preserved)), BOOT, "the preserved VM to be Paused");
        assertEquals("guest-panicked", h.qmp(preserved).execute("query-status").path("status").asText(),
                "the panicked guest is kept for inspection");
        assertTrue(h.serial(preserved).contains(PANIC_LINE));
        assertTrue(VmPowerTest.allowed(h.vm(preserved)).containsAll(List.of("hard_shutdown", "hard_reboot")));
        awaitCrashAlert(preserved);
        h.call("VM.hard_shutdown", preserved);
        assertEquals("Halted", h.power(preserved));

        VmHost.await(() -> "Halted".equals(h.power(tooSoon)), BOOT, "a VM that crashed right after booting to be Halted");
        awaitCrashAlert(tooSoon);
        assertTrue(((String) crashAlerts(tooSoon).getFirst().get("body")).contains("too soon"));
        assertTrue(h.qemuPids().isEmpty());
    }

    @Test
    void coredumpAndDestroyWritesTheGuestsMemoryFirst() throws Exception {
        String vm = crashingVm("dumped", "coredump_and_destroy");
        h.call("VM.start", vm, false, false);
        String uuid = (String) h.vm(vm).get("uuid");
        VmHost.await(() -> "Halted".equals(h.power(vm)), BOOT, "the VM to be Halted");
        awaitCrashAlert(vm);
        Path dumps = dir.resolve("crashdumps").resolve(uuid);
        List<Path> files;
        try (var s = Files.list(dumps)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        Path dump = files.getFirst();
        assertTrue(dump.getFileName().toString().endsWith(".elf"));
        assertTrue(Files.size(dump) > 128L << 20, "the whole 128 MiB of guest memory: " + Files.size(dump));
        try (InputStream in = Files.newInputStream(dump)) {
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, in.readNBytes(4));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)));
        assertEquals("root", Files.getOwner(dump).getName());
        assertTrue(((String) crashAlerts(vm).getFirst().get("body")).contains(dump.toString()));
    }

    @Test
    void renameRestartIsRefusedAtStart() {
        String vm = h.newVm("renames", "idle");
        h.call("VM.set_actions_after_crash", vm, "rename_restart");
        // as XAPI: no host can boot it, and the host named says why
        assertEquals(List.of("NO_HOSTS_AVAILABLE"), h.fails("VM.start", vm, false, false).description());
        var e = h.fails("VM.start_on", vm, h.node.hostRef(), false, false);
        assertEquals("VALUE_NOT_SUPPORTED", e.code());
        assertEquals(List.of("VM.actions_after_crash", "rename_restart"), e.params().subList(0, 2));
        assertEquals("Halted", h.power(vm));
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Unknown tag/contents\")"), h.fails("VM.set_actions_after_crash", vm, "explode").description());
    }
}

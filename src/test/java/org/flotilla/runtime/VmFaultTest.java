package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** What goes wrong: refused starts, QEMUs that die, a daemon that restarts under running VMs. */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmFaultTest extends OnAVmHost {
    void assertUnchangedHalted(String vm) {
        var rec = h.vm(vm);
        assertEquals("Halted", rec.get("power_state"));
        assertEquals("OpaqueRef:NULL", rec.get("resident_on"));
        assertEquals(Map.of(), rec.get("current_operations"));
        assertEquals(List.of(), rec.get("consoles"));
        assertTrue(h.qemuPids().isEmpty());
    }

    @Test
    void refusedStartsChangeNothing() throws Exception {
        // a disk whose image has gone
        String vm = h.newVm("missing disk", "idle");
        String vdi = h.newVdi("gone", 8);
        h.newVbd(vm, vdi, "0", "Disk");
        String sr = (String) h.node.db().record("VDI", vdi).get("SR");
        Files.delete(h.node.storage().attachment(VDI.CLASS.ref(vdi)).image());
        assertEquals(List.of("VDI_MISSING", sr, vdi), h.fails("VM.start", vm, false, false).description());
        assertUnchangedHalted(vm);

        // a kernel outside the allowed directories
        Path elsewhere = Files.copy(VmHost.GUEST.resolve("vmlinux"), dir.resolve("vmlinux"));
        String vm2 = h.newVm("bad kernel", "idle", 128, f -> f.put("PV_kernel", elsewhere.toString()));
        var e = h.fails("VM.start", vm2, false, false);
        assertEquals("PERMISSION_DENIED", e.code());
        assertTrue(e.params().getFirst().contains(elsewhere.toString()), e.params().toString());
        String vm3 = h.newVm("link out", "idle", 128, f -> f.put("PV_kernel", VmHost.GUEST.resolve("../guest/../../pom.xml").toString()));
        assertEquals("PERMISSION_DENIED", h.fails("VM.start", vm3, false, false).code());
        assertUnchangedHalted(vm2);

        // two VBDs on one device slot
        String vm4 = h.newVm("two on 0", "idle");
        h.newVbd(vm4, h.newVdi("a", 8), "0", "Disk");
        h.newVbd(vm4, h.newVdi("b", 8), "0", "Disk");
        assertEquals(List.of("DEVICE_ALREADY_EXISTS", "0"), h.fails("VM.start", vm4, false, false).description());
        assertUnchangedHalted(vm4);

        // more memory than the host has
        String vm5 = h.newVm("huge", "idle", 64L << 20, f -> { });
        var mem = h.fails("VM.start", vm5, false, false);
        assertEquals("HOST_NOT_ENOUGH_FREE_MEMORY", mem.code());
        assertTrue(Long.parseLong(mem.params().get(0)) > Long.parseLong(mem.params().get(1)));
        assertUnchangedHalted(vm5);

        // a template
        String t = h.newVm("template", "idle", 128, f -> f.put("is_a_template", true));
        assertEquals(List.of("VM_IS_TEMPLATE", t, "start"), h.fails("VM.start", t, false, false).description());
        assertFalse(VmPowerTest.allowed(h.vm(t)).contains("start"));
        assertTrue(VmPowerTest.allowed(h.vm(t)).contains("clone"));
    }

    @Test
    void qemuKilledMeansHaltedAndAnAlert() throws Exception {
        String vm = h.newVm("victim", "idle");
        h.call("VM.start", vm, false, false);
        String uuid = (String) h.vm(vm).get("uuid");
        long pid = h.pid(vm);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        VmHost.await(() -> "Halted".equals(h.power(vm)), Duration.ofSeconds(10), "the VM to be recorded Halted");
        VmHost.await(() -> !h.node.db().where("message", m -> uuid.equals(m.get("obj_uuid"))).isEmpty(), Duration.ofSeconds(5), "an alert");
        DbObject<?> msg = h.node.db().where("message", m -> uuid.equals(m.get("obj_uuid"))).getFirst();
        assertEquals("VM_CRASHED", msg.get("name"));
        assertEquals("VM", msg.get("cls"));
        assertEquals(List.of(), h.vm(vm).get("consoles"));
        assertTrue(VmPowerTest.allowed(h.vm(vm)).contains("start"));
        // and it starts again
        h.call("VM.start", vm, false, false);
        assertEquals("Running", h.power(vm));
        h.call("VM.hard_shutdown", vm);
    }

    @Test
    void guestPowerOffAndRebootFollowTheActions() throws Exception {
        String off = h.newVm("powers off", "idle");
        String reboots = h.newVm("reboots", "reboot", 128, f -> f.put("actions_after_reboot", "restart"));
        h.call("VM.start", off, false, false);
        h.call("VM.start", reboots, false, false);
        h.awaitSerial(off, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
        // the guest powers itself off (ACPI from inside: we press the button without a VM.* call)
        long pid = h.pid(off);
        h.qmp(off).execute("system_powerdown");
        VmHost.await(() -> "Halted".equals(h.power(off)), Duration.ofSeconds(15 * LOADED), "a guest-halted VM to be Halted");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        // the rebooting guest reboots in place and stays Running
        h.awaitSerial(reboots, "FLOTILLA-GUEST up", 2, Duration.ofSeconds(40 * LOADED));
        assertEquals("Running", h.power(reboots));
        h.call("VM.hard_shutdown", reboots);
    }

    @Test
    void daemonRestartReattachesRunningVms() throws Exception {
        String keep = h.newVm("keeps running", "idle");
        String dies = h.newVm("dies while the daemon is away", "idle");
        h.call("VM.start", keep, false, false);
        h.call("VM.start", dies, false, false);
        long pid = h.pid(keep);
        long domid = (Long) h.vm(keep).get("domid");
        long diesPid = h.pid(dies);
        h.closeNode(); // the daemon stops: its VMs do not
        assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
        ProcessHandle.of(diesPid).orElseThrow().destroyForcibly();
        ProcessHandle.of(diesPid).ifPresent(p -> p.onExit().join());

        h.open(); // a new daemon on the same state
        assertEquals("Running", h.power(keep));
        assertEquals(domid, h.vm(keep).get("domid"));
        assertEquals(pid, h.pid(keep));
        assertEquals(2, ((List<?>) h.vm(keep).get("consoles")).size(), "rfb and vt100");
        assertEquals("Halted", h.power(dies));
        String diesUuid = (String) h.vm(dies).get("uuid");
        assertEquals("VM_CRASHED", h.node.db().where("message", m -> diesUuid.equals(m.get("obj_uuid"))).getFirst().get("name"));
        // the reattached QMP works
        h.call("VM.pause", keep);
        assertEquals("Paused", h.power(keep));
        h.call("VM.unpause", keep);
        h.awaitSerial(keep, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
        h.call("VM.clean_shutdown", keep);
        assertEquals("Halted", h.power(keep));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void adoptedAndOrphanQemus() throws Exception {
        String vm = h.newVm("adopted", "idle");
        String gone = h.newVm("record gone", "idle");
        h.call("VM.start", vm, false, false);
        h.call("VM.start", gone, false, false);
        long pid = h.pid(vm);
        long gonePid = h.pid(gone);
        h.closeNode();
        // the database lost track of both (a replayed older state): one record says Halted, the other is gone
        var j = h.journal;
        h.open();
        h.node.vmRuntime().close();
        h.node.db().write(tx -> {
            tx.set("VM", vm, "power_state", "Halted");
            tx.set("VM", vm, "resident_on", "OpaqueRef:NULL");
            tx.delete("VM", gone);
        });
        h.closeNode();
        h.open();
        assertEquals("Running", h.power(vm));
        assertEquals(h.node.hostRef(), h.vm(vm).get("resident_on"));
        assertEquals(pid, h.pid(vm));
        VmHost.await(() -> !ProcessHandle.of(gonePid).map(ProcessHandle::isAlive).orElse(false), Duration.ofSeconds(10),
                "the orphan QEMU to be killed");
        h.call("VM.hard_shutdown", vm);
        assertTrue(j != null);
    }

    @Test
    void concurrentOperationsAndAShutdownTheGuestIgnores() throws Exception {
        h.node.vmRuntime().setShutdownTimeout(Duration.ofSeconds(2));
        String vm = h.newVm("deaf", "idle");
        h.call("VM.start", vm, false, false);
        h.qmp(vm).execute("stop"); // the guest hangs: it will not answer the power button
        String task = (String) h.call("Async.VM.clean_shutdown", vm);
        VmHost.await(() -> !((Map<?, ?>) h.vm(vm).get("current_operations")).isEmpty(), Duration.ofSeconds(5), "the operation");
        assertEquals(Map.of(task, "clean_shutdown"), h.vm(vm).get("current_operations"));
        assertEquals(List.of("hard_shutdown", "hard_reboot"), VmPowerTest.allowed(h.vm(vm)));
        assertEquals(List.of("OTHER_OPERATION_IN_PROGRESS", "VM", vm, "clean_shutdown", task), h.fails("VM.pause", vm).description());
        VmHost.await(() -> !"pending".equals(h.node.db().get("task", task).get("status")), Duration.ofSeconds(10), "the task to end");
        assertEquals("failure", h.node.db().get("task", task).get("status"));
        assertEquals(List.of("VM_SHUTDOWN_TIMEOUT", vm, "2"), h.node.db().get("task", task).get("error_info"));
        assertEquals("Running", h.power(vm));
        assertEquals(Map.of(), h.vm(vm).get("current_operations"));
        // VM.shutdown falls back to a hard shutdown
        h.call("VM.shutdown", vm);
        assertEquals("Halted", h.power(vm));
        assertTrue(h.qemuPids().isEmpty());

        // start_on another host; a VIF without a network backend
        h.node.vmRuntime().setVifBackend(null);
        assertEquals("HANDLE_INVALID", h.fails("VM.start_on", vm, "OpaqueRef:00000000-0000-0000-0000-000000000000", false, false).code());
        String vif = org.flotilla.api.Refs.newRef();
        // on a network the host has (a private one), so that placement lets it through to the missing backend
        String net = (String) h.call("network.create", Map.of("name_label", "no backend", "name_description", "", "MTU", "1500",
                "other_config", Map.of(), "bridge", ""));
        h.node.db().write(tx -> tx.put("VIF", vif, Map.of("uuid", org.flotilla.api.Refs.newUuid(), "VM", vm, "device", "0",
                "MAC", "02:00:00:00:00:09", "network", net)));
        var e = h.fails("VM.start", vm, false, false);
        assertTrue(e.params().getFirst().contains("no network backend"), e.params().toString());
        assertUnchangedHalted(vm);
    }
}

package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Real guests under TCG driven through the XenAPI in-process: the power operations and what they record. */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmPowerTest extends OnAVmHost {
    @SuppressWarnings("unchecked")
    static List<String> allowed(Map<String, Object> vm) { return (List<String>) vm.get("allowed_operations"); }

    @Test
    void startPauseRebootShutdown() throws Exception {
        String vm = h.newVm("life", "idle");
        assertTrue(allowed(h.vm(vm)).containsAll(List.of("start", "start_on", "clone", "copy", "destroy", "export")));
        assertFalse(allowed(h.vm(vm)).contains("clean_shutdown"));

        long t0 = System.nanoTime();
        h.call("VM.start", vm, false, false);
        long started = System.nanoTime() - t0;
        assertEquals("Running", h.power(vm));
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
        long up = System.nanoTime() - t0;
        System.out.printf("VM.start: %d ms to Running, %d ms to the guest's up line%n", started / 1_000_000, up / 1_000_000);

        var rec = h.vm(vm);
        assertEquals(h.node.hostRef(), rec.get("resident_on"));
        long domid = (Long) rec.get("domid");
        assertTrue(domid > 0);
        assertEquals(List.of(vm), ((List<?>) h.call("host.get_resident_VMs", h.node.hostRef())).stream()
                .filter(vm::equals).toList());
        @SuppressWarnings("unchecked")
        var consoles = (List<String>) rec.get("consoles");
        var protocols = new java.util.HashSet<Object>();
        for (String c : consoles) {
            var console = h.node.db().record("console", c);
            protocols.add(console.get("protocol"));
            assertTrue(((String) console.get("location")).matches("https://127\\.0\\.0\\.1/console\\?uuid=[-0-9a-f]{36}"), (String) console.get("location"));
        }
        assertEquals(java.util.Set.of("rfb", "vt100"), protocols);
        var metrics = h.node.db().record("VM_metrics", (String) rec.get("metrics"));
        assertEquals(128L << 20, metrics.get("memory_actual"));
        assertEquals(1L, metrics.get("VCPUs_number"));
        assertTrue(allowed(rec).containsAll(List.of("pause", "suspend", "clean_shutdown", "clean_reboot", "hard_shutdown", "hard_reboot")));
        assertFalse(allowed(rec).contains("start"));
        assertEquals(Map.of(), rec.get("current_operations"));

        // illegal transitions, exactly as XAPI words them
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "running"), h.fails("VM.start", vm, false, false).description());
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "paused", "running"), h.fails("VM.unpause", vm).description());
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "suspended", "running"), h.fails("VM.resume", vm, false, false).description());

        h.call("VM.pause", vm);
        assertEquals("Paused", h.power(vm));
        assertTrue(allowed(h.vm(vm)).containsAll(List.of("unpause", "hard_shutdown", "hard_reboot")));
        assertFalse(allowed(h.vm(vm)).contains("pause"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "running", "paused"), h.fails("VM.clean_shutdown", vm).description());
        h.call("VM.unpause", vm);
        assertEquals("Running", h.power(vm));

        h.call("VM.clean_reboot", vm);
        assertEquals("Running", h.power(vm));
        assertNotEquals(domid, h.vm(vm).get("domid"));
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 2, Duration.ofSeconds(30 * LOADED));
        assertTrue(h.serial(vm).contains("power button"));

        h.call("Async.VM.hard_reboot", vm);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 3, Duration.ofSeconds(30 * LOADED));
        assertEquals("Running", h.power(vm));

        long t1 = System.nanoTime();
        h.call("VM.clean_shutdown", vm);
        long down = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("VM.clean_shutdown: %d ms%n", down);
        assertTrue(down < 10_000, "clean_shutdown took " + down + " ms");
        rec = h.vm(vm);
        assertEquals("Halted", rec.get("power_state"));
        assertEquals("OpaqueRef:NULL", rec.get("resident_on"));
        assertEquals(-1L, rec.get("domid"));
        assertEquals(List.of(), rec.get("consoles"));
        assertTrue(h.qemuPids().isEmpty());
        assertTrue(allowed(rec).contains("start"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "paused, suspended, running", "halted"),
                h.fails("VM.hard_shutdown", vm).description());
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "running", "halted"), h.fails("VM.pause", vm).description());

        // hard shutdown of a running VM; start_paused
        h.call("VM.start", vm, true, false);
        assertEquals("Paused", h.power(vm));
        h.call("VM.hard_shutdown", vm);
        assertEquals("Halted", h.power(vm));
        assertTrue(h.qemuPids().isEmpty());
    }

    @Test
    void suspendAndResumeKeepTheGuestsState() throws Exception {
        String vm = h.newVm("counter", "counter");
        String vdi = h.newVdi("counter disk", 16);
        h.newVbd(vm, vdi, "0", "Disk");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "COUNT 10", 1, Duration.ofSeconds(30 * LOADED));
        h.call("VM.suspend", vm);
        var rec = h.vm(vm);
        assertEquals("Suspended", rec.get("power_state"));
        String image = (String) rec.get("suspend_VDI");
        assertEquals("suspend", h.node.db().record("VDI", image).get("type"));
        assertTrue(h.qemuPids().isEmpty());
        assertTrue(allowed(rec).containsAll(List.of("resume", "hard_shutdown")));
        assertFalse(allowed(rec).contains("start"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "suspended"), h.fails("VM.start", vm, false, false).description());

        h.call("VM.resume", vm, false, false);
        assertEquals("Running", h.power(vm));
        assertEquals("OpaqueRef:NULL", h.vm(vm).get("suspend_VDI"));
        assertEquals(null, h.node.db().get("VDI", image));
        // the guest goes on counting where it was, without booting again
        h.awaitSerial(vm, "COUNT", 3, Duration.ofSeconds(20 * LOADED));
        String after = h.serial(vm);
        assertFalse(after.contains("FLOTILLA-GUEST up"), after);
        assertTrue(VmHost.lastCount(after) > 10, after);
        // suspended again, then shut down hard: the suspend image goes
        h.call("VM.suspend", vm);
        String second = (String) h.vm(vm).get("suspend_VDI");
        h.call("VM.hard_shutdown", vm);
        assertEquals("Halted", h.power(vm));
        assertEquals("OpaqueRef:NULL", h.vm(vm).get("suspend_VDI"));
        assertEquals(null, h.node.db().get("VDI", second));
    }

    /**
     * VM.checkpoint keeps the VM running in the same QEMU and makes a suspended snapshot holding its disks and memory of
     * one instant; VM.revert to it leaves the VM suspended, and VM.resume runs it on from that instant.
     */
    @Test
    void aCheckpointKeepsTheVmRunningAndRevertingToItResumesThatInstant() throws Exception {
        String vm = h.newVm("checkpointed", "counter");
        String vdi = h.newVdi("counter disk", 16);
        h.newVbd(vm, vdi, "0", "Disk");
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "paused, suspended, running", "halted"), h.fails("VM.checkpoint", vm, "too soon").description());
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "COUNT 10", 1, Duration.ofSeconds(30 * LOADED));
        List<Long> qemu = h.qemuPids();
        long before = VmHost.lastCount(h.serial(vm));
        String checkpoint = (String) h.call("VM.checkpoint", vm, "at ten");
        long after = VmHost.lastCount(h.serial(vm));
        assertEquals("Running", h.power(vm));
        assertEquals(qemu, h.qemuPids(), "the same QEMU runs on");
        h.awaitSerial(vm, "COUNT " + (after + 10), 1, Duration.ofSeconds(20 * LOADED));

        var snap = h.vm(checkpoint);
        assertEquals("Suspended", snap.get("power_state"));
        assertEquals(true, snap.get("is_a_snapshot"));
        assertEquals(vm, snap.get("snapshot_of"));
        assertEquals(Map.of("power-state-at-snapshot", "Running"), snap.get("snapshot_info"));
        String image = (String) snap.get("suspend_VDI");
        assertEquals("suspend", h.node.db().record("VDI", image).get("type"));

        h.call("VM.hard_shutdown", vm);
        h.call("VM.revert", checkpoint);
        var reverted = h.vm(vm);
        assertEquals("Suspended", reverted.get("power_state"));
        assertNotEquals(image, reverted.get("suspend_VDI"), "the VM resumes from a clone: the checkpoint stays whole");
        assertEquals(checkpoint, reverted.get("parent"));
        h.call("VM.resume", vm, false, false);
        // the guest counts on from the instant of the checkpoint, in memory as on its disk, without booting again
        long resumed = h.firstCount(vm, Duration.ofSeconds(30 * LOADED));
        assertTrue(resumed >= before && resumed <= after + 2, "resumed at " + resumed + ", checkpoint between " + before + " and " + after);
        assertFalse(h.serial(vm).contains("FLOTILLA-GUEST up"), h.serial(vm));
        assertEquals("suspend", h.node.db().record("VDI", image).get("type"));
        h.call("VM.hard_shutdown", vm);
        // a checkpoint's memory is dropped as a suspended VM's is (xe snapshot-uninstall does so first)
        h.call("VM.hard_shutdown", checkpoint);
        assertEquals("Halted", h.power(checkpoint));
        assertEquals(null, h.node.db().get("VDI", image));
    }

    /** A running VM's disks are snapshotted at one instant: it stands still for them, then runs on in the same QEMU. */
    @Test
    void aSnapshotOfARunningVmTakesAllItsDisksAtOneInstant() throws Exception {
        String vm = h.newVm("two disks", "counter");
        h.newVbd(vm, h.newVdi("first", 16), "0", "Disk");
        h.newVbd(vm, h.newVdi("second", 16), "1", "Disk");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "COUNT 5", 1, Duration.ofSeconds(30 * LOADED));
        List<Long> qemu = h.qemuPids();
        String snapshot = (String) h.call("VM.snapshot", vm, "both", List.of());
        assertEquals("running", h.qmp(vm).execute("query-status").path("status").asText());
        assertEquals(qemu, h.qemuPids());
        var vdis = new java.util.ArrayList<Object>();
        for (Object vbd : (List<?>) h.vm(snapshot).get("VBDs")) vdis.add(h.node.db().record("VBD", (String) vbd).get("VDI"));
        assertEquals(2, vdis.size());
        for (Object vdi : vdis) assertEquals(true, h.node.db().record("VDI", (String) vdi).get("is_a_snapshot"));
        long atSnapshot = VmHost.lastCount(h.serial(vm));
        h.awaitSerial(vm, "COUNT " + (atSnapshot + 5), 1, Duration.ofSeconds(20 * LOADED));
        h.call("VM.hard_shutdown", vm);
    }

    @Test
    void sandboxedUnprivilegedQemuWithoutLegacyDevices() throws Exception {
        String vm = h.newVm("argv", "idle");
        String vdi = h.newVdi("disk", 16);
        h.newVbd(vm, vdi, "0", "Disk");
        h.newVbd(vm, null, "3", "CD");
        h.call("VM.start", vm, false, false);
        Path run = h.runDir(vm);
        List<String> argv = Files.readAllLines(run.resolve("argv"));
        assertTrue(argv.contains("-nodefaults"));
        int i = argv.indexOf("-sandbox");
        assertEquals("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", argv.get(i + 1));
        // whole device names and options, not substrings: a uuid in a path may well contain "fdc"
        var devices = new java.util.ArrayList<String>();
        for (int d = 0; d < argv.size() - 1; d++) {
            if (!argv.get(d).equals("-device")) continue;
            String spec = argv.get(d + 1); // QEMU takes a device as JSON or as driver,key=value
            devices.add(spec.startsWith("{") ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(spec).get("driver").asText()
                    : spec.split(",")[0]);
        }
        for (String device : devices) {
            for (String bad : List.of("isa-fdc", "floppy", "pcnet", "ne2k", "rtl8139", "e1000", "sb16", "usb-")) {
                assertFalse(device.startsWith(bad), bad + " device in " + argv);
            }
        }
        for (String option : List.of("-drive", "-usb", "-fda", "-fdb", "-hda", "-cdrom", "-net", "-soundhw", "-audiodev")) {
            assertFalse(argv.contains(option), option + " in " + argv);
        }
        assertTrue(devices.containsAll(List.of("scsi-cd", "virtio-blk-pci", "virtio-balloon-pci")), devices.toString());
        long pid = h.pid(vm);
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        int uid = h.jailUid(vm);
        assertTrue(org.flotilla.jail.JailIds.configured().owns(uid), "QEMU runs as its jail's uid, not an account: " + uid);
        assertTrue(status.contains("NoNewPrivs:\t1"), status);
        assertTrue(status.contains("CapEff:\t0000000000000000") && status.contains("CapBnd:\t0000000000000000"), status);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));
        assertEquals(uid, VmHost.owner(run));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("serial.log"))));
        Path image = h.node.storage().attachment(VDI.CLASS.ref(vdi)).image();
        assertEquals(0, VmHost.owner(image), "the daemon changes no image's owner: QEMU has a descriptor");
        assertTrue(h.fdsetFiles(vm).get("vbd0").contains(image), h.fdsetFiles(vm).toString());
        // the QEMU is in its own session: not in the daemon's process group
        assertNotEquals(ProcessHandle.current().pid(), ProcessHandle.of(pid).orElseThrow().parent().map(ProcessHandle::pid).orElse(-1L) == 0 ? 0 : -2);
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(pid), f[3], "QEMU leads its own session");
        h.call("VM.hard_shutdown", vm);
    }

    @Test
    void firmwareBootFromDiskWithSeaBiosAndUefi() throws Exception {
        String vdi = h.newVdi("bios disk", 25);
        Path image = h.node.storage().attachment(VDI.CLASS.ref(vdi)).image();
        Process p = new ProcessBuilder("qemu-img", "convert", "-n", "-f", "raw", "-O", "qcow2",
                VmHost.GUEST.resolve("disk.img").toString(), image.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        String bios = h.newVm("bios", "idle", 128, f -> {
            f.put("PV_kernel", "");
            f.put("PV_ramdisk", "");
            f.put("HVM_boot_policy", "BIOS order");
            f.put("HVM_boot_params", Map.of("order", "dc"));
        });
        h.newVbd(bios, vdi, "0", "Disk");
        String uefi = h.newVm("uefi", "idle", 128, f -> {
            f.put("PV_kernel", "");
            f.put("HVM_boot_policy", "BIOS order");
            f.put("platform", Map.of("firmware", "uefi"));
        });
        h.call("VM.start", bios, false, false);
        h.call("VM.start", uefi, false, false);
        List<String> argv = Files.readAllLines(h.runDir(uefi).resolve("argv"));
        assertTrue(String.join(" ", argv).contains("pflash0=uefi-code,pflash1=uefi-vars"));
        Path nvram = dir.resolve("nvram").resolve((String) h.vm(uefi).get("uuid") + ".fd");
        assertEquals(0, VmHost.owner(nvram));
        assertFalse(String.join(" ", Files.readAllLines(h.runDir(bios).resolve("argv"))).contains("-kernel"));
        h.awaitSerial(bios, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
        assertEquals("Running", h.power(uefi));
        h.call("VM.hard_shutdown", uefi);
        h.call("VM.clean_shutdown", bios);
        assertEquals("Halted", h.power(bios));
    }
}

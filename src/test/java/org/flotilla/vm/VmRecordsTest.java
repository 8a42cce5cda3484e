package org.flotilla.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.daemon.InProcessNode;
import org.flotilla.daemon.Node;
import org.flotilla.db.MemoryJournal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VM and VBD records, templates, clone/copy/provision/snapshot through the XenAPI dispatch in-process, with real qcow2 disks. */
class VmRecordsTest extends InProcessNode {
    static final long MIB = 1L << 20;

    @BeforeEach
    void start() { boot(); }

    @AfterEach
    void stop() { if (node != null) node.close(); }

    @SuppressWarnings("unchecked")
    List<String> list(Object o) { return (List<String>) o; }

    String defaultSr() { return (String) call("pool.get_default_SR", session, node.poolRef()); }

    String vm(String name, long mem) {
        return (String) call("VM.create", session, Map.of("name_label", name, "memory_static_min", mem, "memory_dynamic_min", mem,
                "memory_dynamic_max", mem, "memory_static_max", Long.toString(mem), "VCPUs_max", "1", "VCPUs_at_startup", 1L,
                "HVM_boot_policy", "BIOS order", "HVM_boot_params", Map.of("order", "cd")));
    }

    String vdi(long size) {
        return (String) call("VDI.create", session, Map.of("name_label", "d", "SR", defaultSr(), "virtual_size", size, "type", "user",
                "sharable", false, "read_only", false, "other_config", Map.of()));
    }

    String vbd(String vm, String vdi, String userdevice) {
        var r = new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", vdi, "userdevice", userdevice, "bootable", true,
                "mode", "RW", "type", "Disk"));
        return (String) call("VBD.create", session, r);
    }

    Path image(String vdi) {
        var r = record("VDI", vdi);
        String pbd = list(record("SR", (String) r.get("SR")).get("PBDs")).getFirst();
        @SuppressWarnings("unchecked")
        var dc = (Map<String, String>) record("PBD", pbd).get("device_config");
        return Path.of(dc.get("location")).resolve(r.get("location") + ".qcow2");
    }

    String template(String name) { return list(call("VM.get_by_name_label", session, name)).getFirst(); }

    // ---- VM.create / destroy ------------------------------------------------------------------

    @Test
    void createFillsDefaultsAndMakesMetrics() {
        String vm = vm("a", 256 * MIB);
        var r = record("VM", vm);
        assertEquals("Halted", r.get("power_state"));
        assertEquals(ClassDef.NULL_REF, r.get("resident_on"));
        assertEquals(List.of(), r.get("consoles"));
        assertEquals("hvm", r.get("domain_type"));
        assertEquals(256 * MIB, r.get("memory_target"));
        assertTrue(((Map<?, ?>) r.get("other_config")).containsKey("mac_seed"));
        String metrics = (String) r.get("metrics");
        assertEquals(Map.of(0L, 0.0), record("VM_metrics", metrics).get("VCPUs_utilisation"));
        assertTrue(list(r.get("allowed_operations")).containsAll(List.of("start", "clone", "destroy", "make_into_template")));
        assertFalse(list(r.get("allowed_operations")).contains("provision"));
        // a partial record: one VCPU, zero memory is still in order
        String bare = (String) call("VM.create", session, Map.of("name_label", "bare"));
        assertEquals(1L, call("VM.get_VCPUs_max", session, bare));
        assertEquals(1L, call("VM.get_VCPUs_at_startup", session, bare));
        assertEquals("pv", call("VM.get_domain_type", session, bare));
    }

    @Test
    void badMemoryOrVcpusCreateNothing() {
        int before = node.db().count("VM");
        int metricsBefore = node.db().count("VM_metrics");
        ApiError e = fails("VM.create", session, Map.of("name_label", "bad", "memory_static_min", 512 * MIB,
                "memory_dynamic_min", 256 * MIB, "memory_dynamic_max", 256 * MIB, "memory_static_max", 512 * MIB));
        assertEquals("MEMORY_CONSTRAINT_VIOLATION", e.code());
        e = fails("VM.create", session, Map.of("name_label", "bad", "memory_dynamic_max", 1024 * MIB, "memory_static_max", 512 * MIB));
        assertEquals("MEMORY_CONSTRAINT_VIOLATION", e.code());
        e = fails("VM.create", session, Map.of("name_label", "bad", "VCPUs_max", 1L, "VCPUs_at_startup", 2L));
        assertEquals(List.of("VALUE_NOT_SUPPORTED", "VCPUs-at-startup", "2", "value greater than VCPUs-max"), e.description());
        assertEquals(before, node.db().count("VM"));
        assertEquals(metricsBefore, node.db().count("VM_metrics"));
        assertEquals(List.of(), call("VM.get_by_name_label", session, "bad"));
    }

    @Test
    void destroyRemovesVbdsAndMetricsButNeverVdis() {
        String vm = vm("d", 128 * MIB);
        String vdi = vdi(MIB);
        String vbd = vbd(vm, vdi, "0");
        String metrics = (String) call("VM.get_metrics", session, vm);
        call("VM.destroy", session, vm);
        assertEquals("HANDLE_INVALID", fails("VM.get_record", session, vm).code());
        assertEquals("HANDLE_INVALID", fails("VBD.get_record", session, vbd).code());
        assertEquals("HANDLE_INVALID", fails("VM_metrics.get_record", session, metrics).code());
        assertEquals(List.of(), call("VDI.get_VBDs", session, vdi));
        assertTrue(Files.exists(image(vdi)));
    }

    @Test
    void destroyNeedsAHaltedVmAndSparesDefaultTemplates() {
        String vm = vm("r", 128 * MIB);
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Running"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted, suspended", "running"), fails("VM.destroy", session, vm).description());
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Halted"));
        String debian = template("Debian Bookworm 12");
        assertEquals(List.of("VM_IS_TEMPLATE", debian, "destroy"), fails("VM.destroy", session, debian).description());
        assertEquals(List.of("VM_IS_TEMPLATE", debian, "start"), fails("VM.assert_operation_valid", session, debian, "start").description());
    }

    @Test
    void memorySettersFollowXapi() {
        String vm = vm("m", 256 * MIB);
        call("VM.set_memory_limits", session, vm, 64 * MIB, 512 * MIB, 128 * MIB, 256 * MIB);
        var r = record("VM", vm);
        assertEquals(List.of(64 * MIB, 128 * MIB, 256 * MIB, 512 * MIB, 128 * MIB), List.of(r.get("memory_static_min"),
                r.get("memory_dynamic_min"), r.get("memory_dynamic_max"), r.get("memory_static_max"), r.get("memory_target")));
        assertEquals("MEMORY_CONSTRAINT_VIOLATION_ORDER", fails("VM.set_memory_limits", session, vm, 64 * MIB, 128 * MIB, 256 * MIB, 256 * MIB).code());
        call("VM.set_memory", session, vm, 1024 * MIB);
        r = record("VM", vm);
        assertEquals(List.of(64 * MIB, 1024 * MIB, 1024 * MIB, 1024 * MIB), List.of(r.get("memory_static_min"),
                r.get("memory_dynamic_min"), r.get("memory_dynamic_max"), r.get("memory_static_max")));
        call("VM.set_memory_dynamic_range", session, vm, 512 * MIB, 768 * MIB);
        assertEquals(768 * MIB, call("VM.get_memory_dynamic_max", session, vm));
        assertEquals("MEMORY_CONSTRAINT_VIOLATION_ORDER", fails("VM.set_memory_static_range", session, vm, 64 * MIB, 600 * MIB).code());
        call("VM.set_memory_static_max", session, vm, 2048 * MIB);
        assertEquals(2048 * MIB, call("VM.get_memory_static_max", session, vm));
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Running"));
        assertEquals("VM_BAD_POWER_STATE", fails("VM.set_memory", session, vm, 512 * MIB).code());
        call("VM.set_memory_dynamic_range", session, vm, 256 * MIB, 512 * MIB); // allowed while running
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Halted"));
    }

    @Test
    void vcpuSetters() {
        String vm = vm("v", 128 * MIB);
        call("VM.set_VCPUs_max", session, vm, 4L);
        call("VM.set_VCPUs_at_startup", session, vm, 2L);
        assertEquals("INVALID_VALUE", fails("VM.set_VCPUs_at_startup", session, vm, 5L).code());
        assertEquals("INVALID_VALUE", fails("VM.set_VCPUs_max", session, vm, 1L).code());
        assertEquals("INVALID_VALUE", fails("VM.set_VCPUs_at_startup", session, vm, 0L).code());
        assertEquals(4L, call("VM.get_VCPUs_max", session, vm));
        assertEquals(2L, call("VM.get_VCPUs_at_startup", session, vm));
    }

    @Test
    void badRefsAndTypes() {
        assertEquals(List.of("HANDLE_INVALID", "VM", "OpaqueRef:nope"), fails("VM.destroy", session, "OpaqueRef:nope").description());
        assertEquals("HANDLE_INVALID", fails("VM.clone", session, "OpaqueRef:nope", "x").code());
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Int64.of_string\")"), fails("VM.set_memory", session, vm("t", MIB), "lots").description());
        String vm = vm("x", MIB);
        assertEquals(List.of("HANDLE_INVALID", "VDI", "OpaqueRef:gone"), fails("VBD.create", session,
                Map.of("VM", vm, "VDI", "OpaqueRef:gone", "userdevice", "0", "type", "Disk", "mode", "RW")).description());
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Unknown tag/contents\")"), fails("VBD.create", session, Map.of("VM", vm, "type", "Tape")).description());
        assertEquals("MESSAGE_PARAMETER_COUNT_MISMATCH", fails("VM.clone", session, vm).code());
    }

    // ---- VBDs ---------------------------------------------------------------------------------

    @Test
    void vbdDevicesConflictAndAutodetect() {
        String vm = vm("b", MIB);
        String a = vdi(MIB);
        String b = vdi(MIB);
        vbd(vm, a, "0");
        assertEquals(List.of("DEVICE_ALREADY_EXISTS", "0"), fails("VBD.create", session, Map.of("VM", vm, "VDI", b,
                "userdevice", "0", "type", "Disk", "mode", "RW")).description());
        assertEquals("DEVICE_ALREADY_EXISTS", fails("VBD.create", session, Map.of("VM", vm, "VDI", b, "userdevice", "xvda")).code());
        assertEquals(List.of("INVALID_DEVICE", "nonsense"), fails("VBD.create", session, Map.of("VM", vm, "VDI", b,
                "userdevice", "nonsense")).description());
        List<String> allowed = list(call("VM.get_allowed_VBD_devices", session, vm));
        assertEquals("1", allowed.getFirst());
        assertEquals(254, allowed.size());
        String auto = vbd(vm, b, "autodetect");
        assertEquals("1", call("VBD.get_userdevice", session, auto));
        assertEquals("2", list(call("VM.get_allowed_VBD_devices", session, vm)).getFirst());
        assertEquals(List.of(auto), call("VDI.get_VBDs", session, b));
        // an empty CD drive from a partial record: read-only, on the next free device
        String cd = (String) call("VBD.create", session, Map.of("VM", vm, "type", "CD", "empty", true));
        var r = record("VBD", cd);
        assertEquals(List.of("2", "RO", true, ClassDef.NULL_REF), List.of(r.get("userdevice"), r.get("mode"), r.get("empty"), r.get("VDI")));
        assertEquals("VBD_CDS_MUST_BE_READONLY", fails("VBD.create", session, Map.of("VM", vm, "type", "CD", "empty", true, "mode", "RW")).code());
        assertEquals("VBD_NOT_REMOVABLE_MEDIA", fails("VBD.create", session, Map.of("VM", vm, "type", "Disk", "empty", true)).code());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
                call("VM.get_allowed_VIF_devices", session, vm));
    }

    @Test
    void vbdDestroyAndSetMode() {
        String vm = vm("m", MIB);
        String vdi = vdi(MIB);
        String vbd = vbd(vm, vdi, "0");
        call("VBD.set_mode", session, vbd, "RO");
        assertEquals("RO", call("VBD.get_mode", session, vbd));
        call("VBD.set_bootable", session, vbd, false);
        node.db().write(tx -> tx.set("VBD", vbd, "currently_attached", true));
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Running"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "running"), fails("VBD.set_mode", session, vbd, "RW").description());
        ApiError e = fails("VBD.destroy", session, vbd);
        assertEquals("OPERATION_NOT_ALLOWED", e.code());
        node.db().write(tx -> tx.set("VBD", vbd, "currently_attached", false));
        node.db().write(tx -> tx.set("VM", vm, "power_state", "Halted"));
        call("VBD.destroy", session, vbd);
        assertEquals(List.of(), call("VM.get_VBDs", session, vm));
        assertEquals(List.of(), call("VDI.get_VBDs", session, vdi));
        assertTrue(Files.exists(image(vdi)));
    }

    // ---- templates ----------------------------------------------------------------------------

    @Test
    void defaultTemplatesOnceAcrossRestarts() {
        List<String> names = List.of("Debian Bookworm 12", "Ubuntu Jammy Jellyfish 22.04", "Ubuntu Noble Numbat 24.04", "CentOS Stream 9",
                "Rocky Linux 9", "Red Hat Enterprise Linux 9", "Windows 10 (64-bit)", "Windows 11", "Windows Server 2019 (64-bit)",
                "Windows Server 2022 (64-bit)", "Other install media");
        for (String n : names) {
            var r = record("VM", template(n));
            assertEquals(true, r.get("is_a_template"), n);
            assertEquals(true, r.get("is_default_template"), n);
            assertEquals("true", ((Map<?, ?>) r.get("other_config")).get("default_template"), n);
            assertEquals("BIOS order", r.get("HVM_boot_policy"), n);
            assertTrue(((String) r.get("recommendations")).startsWith("<restrictions>"), n);
        }
        var win11 = record("VM", template("Windows 11"));
        assertEquals("true", ((Map<?, ?>) win11.get("platform")).get("vtpm"));
        assertEquals("uefi", ((Map<?, ?>) win11.get("HVM_boot_params")).get("firmware"));
        assertEquals(4L << 30, win11.get("memory_static_min"));
        assertEquals(8L << 30, win11.get("memory_static_max"));
        assertEquals("<provision><disk size=\"10737418240\" sr=\"\" bootable=\"true\" type=\"system\" device=\"0\"/></provision>",
                ((Map<?, ?>) record("VM", template("Debian Bookworm 12")).get("other_config")).get("disks"));
        int vms = node.db().count("VM");
        node.close();
        boot();
        assertEquals(vms, node.db().count("VM"));
        for (String n : names) assertEquals(1, list(call("VM.get_by_name_label", session, n)).size(), n);
    }

    @Test
    void testGuestTemplateWhenBuilt() throws Exception {
        Path guest = Files.createDirectories(dir.resolve("guest"));
        Files.writeString(guest.resolve("vmlinux"), "kernel");
        Files.writeString(guest.resolve("initramfs.gz"), "initrd");
        // a fresh host state, and the test guest where the daemon is told to look (the repository's own build may exist too)
        node.close();
        String before = System.getProperty("flotilla.guest");
        System.setProperty("flotilla.guest", guest.toString());
        try {
            node = new Node(Files.createDirectories(dir.resolve("other")), new MemoryJournal(), (u, p) -> true, HostFacts.read("127.0.0.1"), r -> "");
            session = (String) call("session.login_with_password", "root", "x");
        } finally {
            if (before == null) System.clearProperty("flotilla.guest");
            else System.setProperty("flotilla.guest", before);
        }
        assertEquals(0, node.vms().ensureDefaultTemplates(guest));
        var r = record("VM", template(Templates.TEST_GUEST_NAME));
        assertEquals(guest.resolve("vmlinux").toString(), r.get("PV_kernel"));
        assertEquals(guest.resolve("initramfs.gz").toString(), r.get("PV_ramdisk"));
        assertEquals("console=ttyS0 quiet panic=-1 flotilla.mode=idle", r.get("PV_args"));
        assertEquals(128 * MIB, r.get("memory_static_max"));

        // the checkout moved: the template boots the guest from where it is now, and stays the same template
        Path moved = Files.createDirectories(dir.resolve("moved"));
        Files.writeString(moved.resolve("vmlinux"), "kernel");
        Files.writeString(moved.resolve("initramfs.gz"), "initrd");
        assertEquals(0, node.vms().ensureDefaultTemplates(moved));
        var again = record("VM", template(Templates.TEST_GUEST_NAME));
        assertEquals(r.get("uuid"), again.get("uuid"));
        assertEquals(moved.resolve("vmlinux").toString(), again.get("PV_kernel"));
        assertEquals(moved.resolve("initramfs.gz").toString(), again.get("PV_ramdisk"));
    }

    @Test
    void cloneOfATemplateIsATemplate() {
        String t = template("Other install media");
        String c = (String) call("VM.clone", session, t, "mine");
        var r = record("VM", c);
        assertEquals(true, r.get("is_a_template"));
        assertEquals(false, r.get("is_default_template"));
        var oc = (Map<?, ?>) r.get("other_config");
        assertFalse(oc.containsKey("default_template"));
        assertEquals("Other install media", oc.get("base_template_name"));
        assertNotEquals(((Map<?, ?>) record("VM", t).get("other_config")).get("mac_seed"), oc.get("mac_seed"));
        call("VM.destroy", session, c); // a clone is no default template: it may go
    }

    @Test
    void vmInstallSequenceMakesARealDisk() throws Exception {
        String t = template("Debian Bookworm 12");
        String vm = (String) call("VM.clone", session, t, "deb");
        assertEquals(List.of("VM_IS_TEMPLATE", vm, "start"), fails("VM.assert_operation_valid", session, vm, "start").description());
        String task = (String) call("Async.VM.provision", session, vm);
        awaitTask(task);
        call("VM.set_is_a_template", session, vm, false);
        var r = record("VM", vm);
        assertEquals(false, r.get("is_a_template"));
        assertFalse(((Map<?, ?>) r.get("other_config")).containsKey("disks"));
        assertTrue(list(r.get("allowed_operations")).contains("start"));
        List<String> vbds = list(r.get("VBDs"));
        assertEquals(1, vbds.size());
        var b = record("VBD", vbds.getFirst());
        assertEquals(List.of("0", true, "RW", "Disk", false), List.of(b.get("userdevice"), b.get("bootable"), b.get("mode"), b.get("type"), b.get("unpluggable")));
        String vdi = (String) b.get("VDI");
        var v = record("VDI", vdi);
        assertEquals(10L << 30, v.get("virtual_size"));
        assertEquals(defaultSr(), v.get("SR"));
        assertEquals("0", v.get("name_label"));
        assertEquals("system", v.get("type"));
        byte[] head = Arrays.copyOf(Files.readAllBytes(image(vdi)), 4);
        assertEquals("QFI\u00fb", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("PROVISION_ONLY_ALLOWED_ON_TEMPLATE", fails("VM.provision", session, vm).code());
        assertTrue(record("VM_metrics", (String) r.get("metrics")).get("install_time") instanceof java.time.Instant i && i.getEpochSecond() > 0);
    }

    @Test
    void provisionFailsCleanlyOnAnUnknownSr() {
        String vm = (String) call("VM.clone", session, template("Other install media"), "x");
        call("VM.add_to_other_config", session, vm, "disks",
                "<provision><disk device=\"0\" size=\"1048576\" sr=\"\" bootable=\"true\" type=\"system\"/>"
                        + "<disk device=\"1\" size=\"1048576\" sr=\"no-such-sr\" bootable=\"false\" type=\"user\"/></provision>");
        int vdis = node.db().count("VDI");
        assertEquals(List.of("UUID_INVALID", "sr", "no-such-sr"), fails("VM.provision", session, vm).description());
        assertEquals(vdis, node.db().count("VDI"));
        assertEquals(List.of(), call("VM.get_VBDs", session, vm));
    }

    void awaitTask(String task) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            String status = (String) call("task.get_status", session, task);
            if (!status.equals("pending")) {
                assertEquals("success", status, String.valueOf(call("task.get_error_info", session, task)));
                assertEquals(1.0, call("task.get_progress", session, task));
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("task still pending");
    }

    // ---- clone / copy / snapshot / revert ----------------------------------------------------

    String vmWithDisk(String name) {
        String vm = vm(name, 64 * MIB);
        vbd(vm, vdi(2 * MIB), "0");
        call("VBD.create", session, Map.of("VM", vm, "type", "CD", "empty", true, "userdevice", "3"));
        return vm;
    }

    String diskOf(String vm) {
        for (String b : list(call("VM.get_VBDs", session, vm))) {
            if (call("VBD.get_type", session, b).equals("Disk")) return (String) call("VBD.get_VDI", session, b);
        }
        throw new AssertionError("no disk");
    }

    @Test
    void copyMakesIndependentDisks() throws Exception {
        String vm = vmWithDisk("src");
        String src = diskOf(vm);
        String task = (String) call("Async.VM.copy", session, vm, "dup", ClassDef.NULL_REF);
        awaitTask(task);
        String copy = list(call("VM.get_by_name_label", session, "dup")).getFirst();
        String dst = diskOf(copy);
        assertNotEquals(src, dst);
        var d = record("VDI", dst);
        assertEquals(2 * MIB, d.get("virtual_size"));
        assertEquals(null, ((Map<?, ?>) d.get("sm_config")).get("vhd-parent"));
        assertEquals(2, list(call("VM.get_VBDs", session, copy)).size());
        assertEquals(false, call("VM.get_is_a_template", session, copy));
        call("VM.destroy", session, vm);
        call("VDI.destroy", session, src);
        assertTrue(Files.exists(image(dst)));
    }

    @Test
    void snapshotDisksAreVdiSnapshotsAndRevertRestoresThem() {
        String vm = vmWithDisk("snapme");
        String disk = diskOf(vm);
        String snap = (String) call("VM.snapshot", session, vm, "s1");
        var s = record("VM", snap);
        assertEquals(true, s.get("is_a_snapshot"));
        assertEquals(true, s.get("is_a_template"));
        assertEquals(vm, s.get("snapshot_of"));
        assertTrue(((java.time.Instant) s.get("snapshot_time")).getEpochSecond() > 0);
        assertEquals(List.of(snap), call("VM.get_snapshots", session, vm));
        assertEquals(snap, call("VM.get_parent", session, vm));
        String sdisk = diskOf(snap);
        var sd = record("VDI", sdisk);
        assertEquals(true, sd.get("is_a_snapshot"));
        assertEquals(disk, sd.get("snapshot_of"));
        assertEquals(List.of("VM_IS_SNAPSHOT", snap, "start"), fails("VM.assert_operation_valid", session, snap, "start").description());
        assertEquals("REVERT_ONLY_ALLOWED_ON_SNAPSHOT", fails("VM.revert", session, vm).code());
        // a snapshot that ignores the disk has only the CD
        String light = (String) call("VM.snapshot", session, vm, "s2", List.of(disk));
        assertEquals(1, list(call("VM.get_VBDs", session, light)).size());

        call("VM.set_memory", session, vm, 96 * MIB);
        call("VM.revert", session, snap);
        assertEquals(64 * MIB, call("VM.get_memory_static_max", session, vm));
        String now = diskOf(vm);
        assertNotEquals(disk, now);
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, disk).code());
        assertEquals(false, call("VM.get_is_a_template", session, vm));
        assertEquals("snapme", call("VM.get_name_label", session, vm));
        assertEquals(2, list(call("VM.get_VBDs", session, vm)).size());
    }
}

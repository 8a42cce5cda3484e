package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flotilla.runtime.domain.HostFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.api.Refs;
import org.flotilla.qemu.Qmp;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.runtime.launch.Swtpm;
import org.flotilla.runtime.launch.VmJails;
import org.flotilla.vm.EfiVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The devices Windows guests need, on real QEMUs under TCG booting the test guest: a Windows template's
 * Hyper-V enlightenments, UEFI Secure Boot, and a vTPM backed by swtpm.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class WindowsDevicesTest extends OnAVmHost {
    private static final Duration BOOT = Duration.ofSeconds(60 * LOADED);

    @SuppressWarnings("unchecked")
    private Map<String, String> platform(String vm) { return (Map<String, String>) h.vm(vm).get("platform"); }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object o) { return (Map<String, String>) o; }

    @SuppressWarnings("unchecked")
    private List<String> list(Object o) { return (List<String>) o; }

    private List<String> argv(String vm) throws Exception { return Files.readAllLines(h.runDir(vm).resolve("argv")); }

    /** The bzImage with its EFI stub: what OVMF can boot, and the kernel whose ACPI tables keep the TPM (see vtpm test). */
    private static String bzImage() { return VmHost.GUEST.resolve("vmlinuz").toString(); }

    @Test
    void windowsTemplatePlatformGivesTheCpuItsHyperVProperties() throws Exception {
        String template = list(h.call("VM.get_by_name_label", "Windows 11")).getFirst();
        Map<String, String> windows = platform(template);
        assertEquals("true", windows.get("viridian"));
        String vm = h.newVm("windows platform", "idle", 128, f -> f.put("platform", windows));
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, BOOT);

        List<String> a = argv(vm);
        String cpu = a.get(a.indexOf("-cpu") + 1);
        assertTrue(cpu.startsWith("qemu64,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff"), cpu);
        assertFalse(cpu.contains("hv-vpindex"), "QEMU 7.2 refuses hv-vpindex without KVM");
        // the running CPU has them (under TCG the guest sees no Hyper-V CPUID leaves: QEMU builds those for KVM only)
        Qmp qmp = h.qmp(vm);
        String cpuPath = qmp.execute("query-cpus-fast").get(0).path("qom-path").asText();
        for (String p : List.of("hv-relaxed", "hv-vapic", "hv-runtime", "hv-frequencies", "hv-reset", "hv-time", "hv-crash", "hv-synic",
                "hv-stimer")) {
            assertTrue(qmp.execute("qom-get", Map.of("path", cpuPath, "property", p)).asBoolean(), p);
        }
        assertEquals(0x1fff, qmp.execute("qom-get", Map.of("path", cpuPath, "property", "hv-spinlocks")).asLong());
        assertFalse(qmp.execute("qom-get", Map.of("path", cpuPath, "property", "hv-vpindex")).asBoolean());
        // secureboot=auto is settled at start, as XAPI does: no UEFI here, so no Secure Boot
        assertEquals("auto", windows.get("secureboot"));
        assertEquals("false", platform(vm).get("secureboot"));
        h.call("VM.hard_shutdown", vm);
    }

    /** A VM installed from the Windows 11 template, as a client would (clone, provision, VTPM.create), starts its firmware. */
    @Test
    void windows11TemplateStartsWithEverythingTheInstallerChecks() throws Exception {
        String template = list(h.call("VM.get_by_name_label", "Windows 11")).getFirst();
        String vm = (String) h.call("VM.clone", template, "windows 11");
        h.call("VM.provision", vm);
        long mem = 512L << 20;
        h.call("VM.set_memory_limits", vm, mem, mem, mem, mem);
        String vtpm = (String) h.call("VTPM.create", vm, false);
        h.call("VM.start", vm, false, false);
        assertEquals("Running", h.power(vm));

        List<String> a = argv(vm);
        String all = String.join(" ", a);
        assertTrue(h.fdsetFiles(vm).get("uefi-code").getFirst().endsWith("OVMF_CODE_4M.secboot.fd") && a.get(a.indexOf("-machine") + 1).contains("smm=on"), all);
        assertTrue(a.get(a.indexOf("-cpu") + 1).contains("hv-stimer=on"), all);
        assertEquals("2,maxcpus=2", a.get(a.indexOf("-smp") + 1));
        Qmp qmp = h.qmp(vm);
        assertEquals("tpm-crb", qmp.execute("query-tpm").get(0).path("model").asText());
        // OVMF writes its boot manager's progress to the serial console
        VmHost.await(() -> h.serial(vm).contains("BdsDxe"), BOOT, "OVMF's boot manager on the serial console");
        h.call("VM.hard_shutdown", vm);
        h.call("VTPM.destroy", vtpm);
    }

    @Test
    void secureBootRunsOvmfsSecureBuildWithMicrosoftsKeys() throws Exception {
        String secure = h.newVm("secure boot", "idle", 256, f -> uefiKernel(f, "auto"));
        String plain = h.newVm("plain uefi", "idle", 256, f -> uefiKernel(f, "false"));
        h.call("VM.start", secure, false, false);
        h.call("VM.start", plain, false, false);
        assertEquals("true", platform(secure).get("secureboot"), "auto settles to true where OVMF's secboot images are");
        assertEquals("false", platform(plain).get("secureboot"));

        List<String> a = argv(secure);
        assertTrue(a.get(a.indexOf("-machine") + 1).contains("smm=on"));
        assertEquals("driver=cfi.pflash01,property=secure,value=on", a.get(a.indexOf("-global") + 1));
        assertEquals(List.of(Path.of("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")), h.fdsetFiles(secure).get("uefi-code"),
                "QEMU runs the secboot build, from a descriptor the daemon opened");
        assertFalse(String.join(" ", argv(plain)).contains("secboot") || argv(plain).contains("-global"));

        // the guest kernel reads the firmware's SecureBoot variable
        h.awaitSerial(secure, "FLOTILLA-GUEST up", 1, BOOT);
        h.awaitSerial(plain, "FLOTILLA-GUEST up", 1, BOOT);
        assertTrue(h.serial(secure).contains("secureboot: Secure boot enabled"), h.serial(secure));
        assertTrue(h.serial(plain).contains("secureboot: Secure boot disabled"), h.serial(plain));

        // the VM's own variable store: made from the Microsoft-keyed template once, kept in VM.NVRAM across restarts
        Path nvram = dir.resolve("nvram").resolve(h.vm(secure).get("uuid") + ".fd");
        assertEquals(List.of(nvram), h.fdsetFiles(secure).get("uefi-vars"));
        assertEquals(0, VmHost.owner(nvram), "root's: QEMU writes it through its descriptor");
        h.call("VM.hard_shutdown", secure);
        h.call("VM.hard_shutdown", plain);
        byte[] kept = Files.readAllBytes(nvram);
        assertArrayEquals(kept, EfiVariables.decode(stringMap(h.vm(secure).get("NVRAM")).get(EfiVariables.KEY)));
        h.call("VM.start", secure, true, false);
        assertArrayEquals(kept, Files.readAllBytes(nvram));
        h.call("VM.unpause", secure);
        h.awaitSerial(secure, "secureboot: Secure boot enabled", 1, BOOT);
        h.call("VM.hard_shutdown", secure);
        assertEquals(kept.length, Files.size(nvram));
    }

    private static void uefiKernel(Map<String, Object> f, String secureBoot) {
        f.put("PV_kernel", bzImage());
        f.put("PV_args", "console=ttyS0 panic=-1 flotilla.mode=idle");
        f.put("HVM_boot_params", Map.of("firmware", "uefi"));
        f.put("platform", Map.of("secureboot", secureBoot));
    }

    @Test
    void vtpmBackedBySwtpmAsQemusUser() throws Exception {
        String vm = h.newVm("vtpm", "idle");
        h.call("VM.start", vm, false, false);
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "running"), h.fails("VTPM.create", vm, false).description());
        h.call("VM.hard_shutdown", vm);
        // TPM2 and ACPI tables survive only the bzImage boot path (PVH direct boot of vmlinux loses them)
        h.call("VM.set_PV_kernel", vm, bzImage());

        String vtpm = (String) h.call("VTPM.create", vm, true);
        Map<String, Object> rec = h.node.db().record("VTPM", vtpm);
        assertEquals(vm, rec.get("VM"));
        assertEquals(true, rec.get("is_unique"));
        assertEquals("xapi", rec.get("persistence_backend"));
        assertEquals(List.of("destroy"), rec.get("allowed_operations"));
        assertEquals(List.of(vtpm), h.vm(vm).get("VTPMs"));
        assertEquals(List.of("VTPM_MAX_AMOUNT_REACHED", "1"), h.fails("VTPM.create", vm, false).description());

        h.call("VM.start", vm, false, false);
        Path run = h.runDir(vm);
        long swtpm = HostFiles.readLong(run.resolve("swtpm.pid"));
        ProcessHandle p = ProcessHandle.of(swtpm).orElseThrow();
        assertEquals(h.jailUid(vm), HostFiles.uidOf(swtpm), "swtpm runs in its VM's jail");
        assertTrue(Files.readString(Path.of("/proc/" + swtpm + "/status")).contains("Seccomp:\t2"), "swtpm under its seccomp filter");
        Qmp qmp = h.qmp(vm);
        assertEquals("tpm-crb", qmp.execute("query-tpm").get(0).path("model").asText());
        h.awaitSerial(vm, "FLOTILLA-GUEST tpm /dev/tpm0", 1, BOOT);
        assertEquals(List.of(), h.node.db().record("VTPM", vtpm).get("allowed_operations"));
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted;suspended", "running"), h.fails("VTPM.destroy", vtpm).description());

        // a daemon restart leaves swtpm with its QEMU, and ends a swtpm whose QEMU is gone
        Path orphanRun = dir.resolve("run").resolve(Refs.newUuid());
        long orphanDomid = (Long) h.vm(vm).get("domid") + 100;
        var jails = new VmJails(dir, "orphans", org.flotilla.jail.JailIds.configured(), org.flotilla.jail.Cgroups.host(), false);
        int orphanUid = jails.uid(orphanDomid);
        for (Path d : List.of(orphanRun, dir.resolve("orphan-state"))) {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            QemuFiles.give(d, orphanUid);
        }
        new Swtpm("swtpm", jails).start(jails.swtpm(orphanDomid, orphanRun, dir.resolve("orphan-state"),
                new org.flotilla.jail.Cgroups.Membership(List.of())), dir.resolve("orphan-state"), orphanRun, orphanUid);
        long orphan = HostFiles.readLong(Swtpm.pidFile(orphanRun));
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false));
        h.closeNode();
        h.open();
        assertEquals("Running", h.power(vm));
        assertTrue(p.isAlive(), "swtpm runs on with its QEMU");
        VmHost.await(() -> ProcessHandle.of(orphan).map(q -> !q.isAlive()).orElse(true), BOOT, "the orphan swtpm to end");
        assertFalse(Files.exists(orphanRun));

        h.call("VM.clean_shutdown", vm);
        VmHost.await(() -> !p.isAlive(), BOOT, "swtpm to end with the VM");
        Path state = dir.resolve("vtpm").resolve((String) h.node.db().record("VTPM", vtpm).get("uuid"));
        int firstUid = VmHost.owner(state);
        assertTrue(org.flotilla.jail.JailIds.configured().owns(firstUid), "the state is the jail's of its last boot: " + firstUid);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        Path permall = state.resolve("tpm2-00.permall");
        byte[] before = Files.readAllBytes(permall);
        assertEquals(List.of("destroy"), h.node.db().record("VTPM", vtpm).get("allowed_operations"));

        // the next boot uses the same TPM state
        h.call("VM.start", vm, false, false);
        assertTrue(argv(vm).contains("-tpmdev"));
        long second = HostFiles.readLong(h.runDir(vm).resolve("swtpm.pid"));
        assertNotEquals(swtpm, second);
        assertTrue(HostFiles.cmdline(second).contains("dir=/tpm,"), "swtpm sees the state at /tpm in its jail");
        assertEquals(h.jailUid(vm), VmHost.owner(state), "each boot's jail gets the state anew");
        h.awaitSerial(vm, "FLOTILLA-GUEST tpm /dev/tpm0", 1, BOOT);
        h.call("VM.hard_shutdown", vm);
        assertTrue(before.length > 0 && Files.size(permall) > 0, "swtpm keeps the TPM's state in the VTPM's directory");

        h.call("VTPM.destroy", vtpm);
        assertFalse(Files.exists(state));
        assertEquals(List.of(), h.vm(vm).get("VTPMs"));
        assertEquals("HANDLE_INVALID", h.fails("VTPM.get_record", vtpm).code());
    }
}

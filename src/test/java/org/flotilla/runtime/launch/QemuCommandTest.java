package org.flotilla.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The QEMU command line of a VM, without QEMU. */
class QemuCommandTest {
    @Test
    void commandLine() {
        Path sr = Path.of("/d");
        var disks = List.of(
                new QemuCommand.Disk("1", false, image(sr, "1.qcow2", "base.qcow2"), false, false),
                new QemuCommand.Disk("0", false, image(sr, "0.qcow2"), false, true),
                new QemuCommand.Disk("3", true, new QemuCommand.DiskImage(new org.flotilla.storage.LocalDir(sr), List.of(new QemuCommand.Layer("cd.iso", "raw"))), true, false),
                new QemuCommand.Disk("4", true, null, true, false));
        var nics = List.of(new QemuCommand.Nic("0", "tap7", "02:00:00:00:00:01"), new QemuCommand.Nic("9", "tap8", "02:00:00:00:00:02"));
        var spec = new QemuCommand.Spec("u-u-i-d", "qemu-system-x86_64", "tcg", List.of(), 256, 2, 4, null, null,
                new QemuCommand.Uefi(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), Path.of("/s/nvram/u.fd"), false), "dcn", disks, nics,
                8, null, null);
        var handles = new QemuCommand.Handles(Map.of("1", new QemuCommand.DiskSets(List.of(5, 6), false), "0", new QemuCommand.DiskSets(List.of(7), true), "3", new QemuCommand.DiskSets(List.of(8), false)), Map.of("0", 20, "9", 21), 1, 2,
                List.of("fd=3,set=1,opaque=uefi-code", "fd=4,set=2,opaque=uefi-vars"));
        List<String> a = QemuCommand.argv(spec, handles);
        String all = String.join(" ", a);
        assertEquals(QemuCommand.SANDBOX, a.get(a.indexOf("-sandbox") + 1));
        assertTrue(a.contains("-nodefaults") && a.contains("-no-user-config") && a.contains("-no-shutdown"));
        assertEquals("size=256M", a.get(a.indexOf("-m") + 1));
        assertEquals("2,maxcpus=4", a.get(a.indexOf("-smp") + 1));
        assertTrue(a.get(a.indexOf("-machine") + 1).startsWith("q35,") && a.get(a.indexOf("-machine") + 1).contains("pflash0=uefi-code"));
        // boot order d, c, n: the CDs, then the bootable disk before the other, then the NIC
        assertTrue(all.contains("\"driver\":\"scsi-cd\",\"id\":\"vbd3\",\"bus\":\"scsi0.0\",\"scsi-id\":0,\"lun\":3,\"drive\":\"vbd3-fmt\",\"bootindex\":0"), all);
        assertTrue(all.contains("\"id\":\"vbd4\",\"bus\":\"scsi0.0\",\"scsi-id\":0,\"lun\":4,\"bootindex\":1"), all);
        assertTrue(all.contains("\"id\":\"vbd0\",\"drive\":\"vbd0-fmt\",\"bus\":\"rp0\",\"bootindex\":2"), all);
        assertTrue(all.contains("\"id\":\"vbd1\",\"drive\":\"vbd1-fmt\",\"bus\":\"rp1\",\"bootindex\":3"), all);
        assertTrue(all.contains("\"id\":\"nic0\",\"netdev\":\"vif0\",\"mac\":\"02:00:00:00:00:01\",\"bus\":\"rpnic0\",\"bootindex\":4"), all);
        assertTrue(all.contains("\"id\":\"nic9\",\"netdev\":\"vif9\",\"mac\":\"02:00:00:00:00:02\",\"bus\":\"rpnic9\",\"bootindex\":5"), all);
        // QEMU opens nothing of the host by name: taps, images and firmware are descriptors the daemon passed
        assertTrue(a.contains("tap,id=vif0,fd=20"), all);
        assertTrue(a.contains("fd=3,set=1,opaque=uefi-code") && a.get(a.indexOf("fd=3,set=1,opaque=uefi-code") - 1).equals("-add-fd"), all);
        assertTrue(all.contains("{\"driver\":\"file\",\"node-name\":\"uefi-code\",\"filename\":\"/dev/fdset/1\",\"read-only\":true}"), all);
        assertTrue(all.contains("{\"driver\":\"file\",\"node-name\":\"uefi-vars\",\"filename\":\"/dev/fdset/2\"}"), all);
        // each layer of a chain is a node of its own, the backing named by the daemon, never read from a header
        String base = "{\"driver\":\"qcow2\",\"node-name\":\"vbd1-b1\",\"file\":{\"driver\":\"file\",\"filename\":\"/dev/fdset/6\",\"locking\":\"off\","
                + "\"read-only\":true},\"backing\":null,\"read-only\":true}";
        String top = "{\"driver\":\"qcow2\",\"node-name\":\"vbd1-fmt\",\"file\":{\"driver\":\"file\",\"filename\":\"/dev/fdset/5\",\"locking\":\"off\"},"
                + "\"backing\":\"vbd1-b1\"}";
        assertTrue(a.indexOf(base) >= 0 && a.indexOf(base) < a.indexOf(top), all);
        // descriptors opened with O_DIRECT: their nodes say so, or QEMU finds none in the fdset that matches
        assertTrue(a.contains("{\"driver\":\"qcow2\",\"node-name\":\"vbd0-fmt\",\"file\":{\"driver\":\"file\",\"filename\":\"/dev/fdset/7\","
                + "\"locking\":\"off\",\"cache\":{\"direct\":true}},\"cache\":{\"direct\":true},\"backing\":null}"), all);
        assertTrue(all.contains("{\"driver\":\"raw\",\"node-name\":\"vbd3-fmt\",\"file\":{\"driver\":\"file\",\"filename\":\"/dev/fdset/8\",\"locking\":\"off\","
                + "\"read-only\":true},\"read-only\":true}"), all);
        for (String hostPath : List.of("/d/", "/s/", "/usr/share/OVMF")) assertFalse(all.contains(hostPath), hostPath + " in " + all);
        // every NIC device 0..15 has a hot-pluggable root port, eight to a PCI slot
        assertTrue(all.contains("\"id\":\"rpnic0\",\"bus\":\"pcie.0\",\"chassis\":9,\"io-reserve\":0,\"addr\":\"10.0\",\"multifunction\":true"), all);
        assertTrue(all.contains("\"id\":\"rpnic15\",\"bus\":\"pcie.0\",\"chassis\":24,\"io-reserve\":0,\"addr\":\"11.7\"}"), all);
        // a panicking guest is paused for actions_after_crash to decide
        assertTrue(all.contains("\"driver\":\"pvpanic-pci\""), all);
        assertEquals("panic=pause", a.get(a.indexOf("-action") + 1));
        assertTrue(all.contains("\"read-only\":true"));
        for (String bad : List.of("floppy", "fdc", "pcnet", "ne2k", "e1000", "rtl8139", "-drive", "cirrus")) assertFalse(all.contains(bad), bad);
        // the display: standard VGA with the VM's video memory, VNC and the serial port on sockets in the run dir, no TCP
        assertTrue(all.contains("{\"driver\":\"VGA\",\"id\":\"video0\",\"bus\":\"pcie.0\",\"vgamem_mb\":8}"), all);
        assertEquals("unix:/vm/vnc.sock", a.get(a.indexOf("-vnc") + 1));
        assertTrue(all.contains("-chardev socket,id=serial0,path=/vm/serial.sock,server=on,wait=off,logfile=/vm/serial.log"), all);
        assertTrue(all.contains("-qmp unix:/vm/qmp.sock,server=on,wait=off"), all);
        assertTrue(all.contains("-chardev socket,id=fdmon,path=/vm/fds.sock,server=on,wait=off -mon chardev=fdmon,mode=control"), all);
        // no enlightenments, no Secure Boot, no TPM asked for: none given, and TCG keeps its default CPU
        for (String absent : List.of("-cpu", "smm=on", "-global", "-tpmdev")) assertFalse(a.contains(absent) || all.contains(absent), absent);
    }

    /** A qcow2 chain in {@code dir}, top first. */
    private static QemuCommand.DiskImage image(Path dir, String... files) {
        return new QemuCommand.DiskImage(new org.flotilla.storage.LocalDir(dir), java.util.Arrays.stream(files).map(f -> new QemuCommand.Layer(f, "qcow2")).toList());
    }

    /** What a Windows template's platform and a VTPM put on the command line. */
    @Test
    void windowsCommandLine() {
        var platform = Map.of("viridian", "true", "viridian_time_ref_count", "true", "viridian_reference_tsc", "true",
                "viridian_apic_assist", "true", "viridian_crash_ctl", "true", "viridian_stimer", "true", "secureboot", "true");
        List<String> tcg = Viridian.cpuProperties(platform, false);
        assertEquals(List.of("hv-relaxed=on", "hv-vapic=on", "hv-spinlocks=0x1fff", "hv-runtime=on", "hv-frequencies=on", "hv-reset=on",
                "hv-time=on", "hv-crash=on", "hv-synic=on", "hv-stimer=on"), tcg);
        List<String> kvm = Viridian.cpuProperties(platform, true);
        assertEquals(List.of("hv-relaxed=on", "hv-vapic=on", "hv-spinlocks=0x1fff", "hv-vpindex=on"), kvm.subList(0, 4));
        assertTrue(kvm.containsAll(tcg) && kvm.size() == tcg.size() + 1);
        assertEquals(List.of(), Viridian.cpuProperties(Map.of("viridian", "false", "viridian_crash_ctl", "true"), true));
        assertEquals(List.of(), Viridian.cpuProperties(Map.of(), true));
        assertEquals(List.of("hv-time=on", "hv-synic=on", "hv-stimer=on"),
                Viridian.cpuProperties(Map.of("viridian", "1", "viridian_stimer", "TRUE"), false).subList(6, 9));
        assertTrue(Viridian.cpuProperties(Map.of("viridian", "true", "viridian_hcall_ipi", "0x1", "viridian_hcall_remote_tlb_flush", "1"),
                true).containsAll(List.of("hv-ipi=on", "hv-tlbflush=on")));
        assertFalse(Viridian.isTrue("yes") || Viridian.isTrue("0") || Viridian.isTrue(""));

        var spec = new QemuCommand.Spec("u", "qemu-system-x86_64", "kvm", kvm, 4096, 2, 2, null, null,
                new QemuCommand.Uefi(Path.of("/o/CODE.secboot.fd"), Path.of("/s/nvram/u.fd"), true), "dc", List.of(), List.of(),
                4, null, new QemuCommand.Tpm(Path.of("/s/vtpm/t")));
        List<String> a = QemuCommand.argv(spec, new QemuCommand.Handles(Map.of(), Map.of(), 1, 2, List.of()));
        assertEquals("host," + String.join(",", kvm), a.get(a.indexOf("-cpu") + 1));
        assertTrue(a.get(a.indexOf("-machine") + 1).endsWith(",pflash0=uefi-code,pflash1=uefi-vars,smm=on"));
        assertEquals("driver=cfi.pflash01,property=secure,value=on", a.get(a.indexOf("-global") + 1));
        assertEquals("socket,id=chrtpm,path=/vm/swtpm.sock", a.get(a.lastIndexOf("-chardev") + 1));
        assertEquals("emulator,id=tpm0,chardev=chrtpm", a.get(a.indexOf("-tpmdev") + 1));
        assertTrue(a.contains("{\"driver\":\"tpm-crb\",\"id\":\"tpm\",\"tpmdev\":\"tpm0\"}"));
    }
}

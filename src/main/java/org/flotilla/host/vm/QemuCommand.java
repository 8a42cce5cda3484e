package org.flotilla.host.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QEMU command line of a VM: the one place that decides what a VM's QEMU looks like. A q35 machine with
 * only what the VM's records ask for — virtio disks (CDs as scsi-cd on virtio-scsi), virtio-net NICs on the
 * VIFs' taps, a virtio balloon, a 16550 serial port, a standard VGA adapter, a pvpanic device — and nothing
 * that {@code -nodefaults} leaves out: no floppy controller, no PCNET, no legacy NICs or sound, no Cirrus VGA.
 * Disks and NICs sit on PCIe root ports of their own, so that they can be plugged and unplugged while the guest
 * runs (q35 cannot hot-plug devices on the root complex itself). Both consoles are unix sockets in the private
 * run directory (VNC for the display, the serial port with a copy logged to a file), never TCP ports. QEMU runs
 * under {@code -sandbox} with every deny option; the caller drops it to an unprivileged user before exec.
 */
public final class QemuCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The machine type every VM is. */
    static final String MACHINE = "q35";
    /** Hot-pluggable PCIe slots for disks: one root port per disk userdevice 0..DISK_PORTS-1. */
    static final int DISK_PORTS = 8;
    /** Hot-pluggable PCIe slots for NICs: one root port per VIF device 0..NIC_PORTS-1 (XAPI offers 0..15). */
    static final int NIC_PORTS = 16;
    /** The NIC ports take whole PCI slots from here on, eight ports (functions) per slot. */
    private static final int NIC_PORT_FIRST_SLOT = 0x10;
    public static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /** One VBD. {@code image} null for an empty CD drive. */
    public record Disk(String userdevice, boolean cd, Path image, String format, boolean readOnly, boolean bootable) {
        String deviceId() { return "vbd" + userdevice; }

        String nodeName() { return "vbd" + userdevice + "-fmt"; }
    }

    /** One VIF: the tap QEMU opens and the guest NIC's MAC. */
    public record Nic(String device, String tap, String mac) {
        String netdevId() { return "vif" + device; }

        String deviceId() { return "nic" + device; }
    }

    /**
     * UEFI firmware: OVMF's code image and the VM's own variable store. Secure Boot needs OVMF's secboot build,
     * which only runs with SMM and a flash that only SMM code may write.
     */
    public record Uefi(Path code, Path vars, boolean secureBoot) {}

    /** A TPM 2.0 (CRB interface) backed by the VM's swtpm: its state directory and the socket QEMU talks to it on. */
    public record Tpm(Path state, Path socket) {}

    /**
     * What the builder needs from the records, already checked by the runtime. {@code uefi} null for SeaBIOS,
     * {@code cpuProperties} the extra {@code -cpu} properties (Hyper-V enlightenments), {@code tpm} null for
     * no TPM.
     */
    public record Spec(String uuid, String qemuBinary, String accel, List<String> cpuProperties, long memoryMiB, long vcpus,
                       long vcpusMax, String kernel, String initrd, String append, Uefi uefi, String bootOrder,
                       List<Disk> disks, List<Nic> nics, long videoMiB, Path runDir, String incoming, Tpm tpm) {}

    public static Path qmpSocket(Path runDir) { return runDir.resolve("qmp.sock"); }

    public static Path pidFile(Path runDir) { return runDir.resolve("qemu.pid"); }

    public static Path serialLog(Path runDir) { return runDir.resolve("serial.log"); }

    /** The serial port, both ways (what the guest prints also goes to {@link #serialLog}). */
    public static Path serialSocket(Path runDir) { return runDir.resolve("serial.sock"); }

    /** The VGA display as a VNC (RFB) server. */
    public static Path vncSocket(Path runDir) { return runDir.resolve("vnc.sock"); }

    public static List<String> argv(Spec s) {
        var a = new ArrayList<String>();
        a.add(s.qemuBinary());
        a.addAll(List.of("-nodefaults", "-no-user-config", "-sandbox", SANDBOX));
        a.addAll(List.of("-name", "guest=" + s.uuid() + ",debug-threads=on", "-uuid", s.uuid()));
        String machine = MACHINE + ",usb=off,vmport=off,dump-guest-core=off";
        if (s.uefi() != null) machine += ",pflash0=uefi-code,pflash1=uefi-vars";
        if (s.uefi() != null && s.uefi().secureBoot()) machine += ",smm=on";
        a.addAll(List.of("-machine", machine, "-accel", s.accel()));
        String cpu = cpu(s);
        if (cpu != null) a.addAll(List.of("-cpu", cpu));
        a.addAll(List.of("-m", "size=" + s.memoryMiB() + "M"));
        a.addAll(List.of("-smp", s.vcpus() + ",maxcpus=" + Math.max(s.vcpus(), s.vcpusMax())));
        a.addAll(List.of("-display", "none", "-vnc", "unix:" + vncSocket(s.runDir()),
                "-no-shutdown", "-S", "-rtc", "base=utc", "-msg", "timestamp=on"));
        // a panicking guest (pvpanic) is stopped, not ended: actions_after_crash decides what follows
        a.addAll(List.of("-action", "panic=pause"));
        a.addAll(List.of("-qmp", "unix:" + qmpSocket(s.runDir()) + ",server=on,wait=off"));
        a.addAll(List.of("-pidfile", pidFile(s.runDir()).toString()));
        a.addAll(List.of("-chardev", "socket,id=serial0,path=" + serialSocket(s.runDir()) + ",server=on,wait=off,logfile="
                + serialLog(s.runDir()) + ",logappend=on", "-serial", "chardev:serial0"));
        if (s.uefi() != null) {
            a.addAll(List.of("-blockdev", json(Map.of("driver", "file", "node-name", "uefi-code", "filename",
                    s.uefi().code().toString(), "read-only", true))));
            a.addAll(List.of("-blockdev", json(Map.of("driver", "file", "node-name", "uefi-vars", "filename",
                    s.uefi().vars().toString()))));
            if (s.uefi().secureBoot()) a.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
        }
        if (s.kernel() != null) {
            a.addAll(List.of("-kernel", s.kernel()));
            if (s.initrd() != null) a.addAll(List.of("-initrd", s.initrd()));
            if (s.append() != null && !s.append().isEmpty()) a.addAll(List.of("-append", s.append()));
        }
        for (int i = 0; i < DISK_PORTS; i++) {
            a.addAll(List.of("-device", json(ordered("driver", "pcie-root-port", "id", "rp" + i, "bus", "pcie.0",
                    "chassis", i + 1, "io-reserve", 0))));
        }
        for (int i = 0; i < NIC_PORTS; i++) {
            var port = ordered("driver", "pcie-root-port", "id", nicPort(i), "bus", "pcie.0", "chassis", DISK_PORTS + i + 1,
                    "io-reserve", 0, "addr", String.format("%x.%x", NIC_PORT_FIRST_SLOT + i / 8, i % 8));
            if (i % 8 == 0) port.put("multifunction", true);
            a.addAll(List.of("-device", json(port)));
        }
        Map<String, Integer> boot = bootIndexes(s.bootOrder(), s.kernel() != null, s.disks(), s.nics());
        boolean anyCd = s.disks().stream().anyMatch(Disk::cd);
        if (anyCd) a.addAll(List.of("-device", json(ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"))));
        for (Disk d : s.disks()) {
            if (d.image() != null) a.addAll(List.of("-blockdev", json(blockdev(d, d.nodeName()))));
            a.addAll(List.of("-device", json(device(d, boot.get(d.deviceId())))));
        }
        for (Nic n : s.nics()) {
            a.addAll(List.of("-netdev", "tap,id=" + n.netdevId() + ",ifname=" + n.tap() + ",script=no,downscript=no"));
            a.addAll(List.of("-device", json(device(n, boot.get(n.deviceId())))));
        }
        a.addAll(List.of("-device", json(ordered("driver", "virtio-balloon-pci", "id", "balloon0", "bus", "pcie.0"))));
        if (s.tpm() != null) {
            a.addAll(List.of("-chardev", "socket,id=chrtpm,path=" + s.tpm().socket()));
            a.addAll(List.of("-tpmdev", "emulator,id=tpm0,chardev=chrtpm"));
            a.addAll(List.of("-device", json(ordered("driver", "tpm-crb", "id", "tpm", "tpmdev", "tpm0"))));
        }
        a.addAll(List.of("-device", json(ordered("driver", "pvpanic-pci", "id", "pvpanic0", "bus", "pcie.0"))));
        a.addAll(List.of("-device", json(ordered("driver", "VGA", "id", "video0", "bus", "pcie.0", "vgamem_mb", s.videoMiB()))));
        if (s.incoming() != null) a.addAll(List.of("-incoming", s.incoming()));
        return a;
    }

    /** KVM runs the host's CPU model; TCG its default model, named only when properties go with it. */
    private static String cpu(Spec s) {
        boolean kvm = s.accel().equals("kvm");
        if (!kvm && s.cpuProperties().isEmpty()) return null;
        var parts = new ArrayList<String>();
        parts.add(kvm ? "host" : "qemu64");
        parts.addAll(s.cpuProperties());
        return String.join(",", parts);
    }

    /** The node (format over file) for a disk image, as {@code -blockdev} and QMP {@code blockdev-add} take it. */
    static Map<String, Object> blockdev(Disk d, String nodeName) {
        var file = ordered("driver", "file", "filename", d.image().toString());
        if (d.readOnly()) file.put("read-only", true);
        var fmt = ordered("driver", d.format(), "node-name", nodeName, "file", file);
        if (d.readOnly()) fmt.put("read-only", true);
        return fmt;
    }

    /** The guest's device for a disk, as {@code -device} and QMP {@code device_add} take it. */
    static Map<String, Object> device(Disk d, Integer bootIndex) {
        LinkedHashMap<String, Object> dev;
        if (d.cd()) {
            dev = ordered("driver", "scsi-cd", "id", d.deviceId(), "bus", "scsi0.0", "scsi-id", 0, "lun", lun(d));
            if (d.image() != null) dev.put("drive", d.nodeName());
        } else {
            dev = ordered("driver", "virtio-blk-pci", "id", d.deviceId(), "drive", d.nodeName());
            int slot = slot(d);
            dev.put("bus", slot < DISK_PORTS ? "rp" + slot : "pcie.0");
        }
        if (bootIndex != null) dev.put("bootindex", bootIndex);
        return dev;
    }

    /** The tap backend of a NIC, as QMP {@code netdev_add} takes it (the same as its {@code -netdev}). */
    static Map<String, Object> netdev(Nic n) {
        return ordered("type", "tap", "id", n.netdevId(), "ifname", n.tap(), "script", "no", "downscript", "no");
    }

    /** The guest's NIC for a VIF, on its own root port when it has one, as {@code -device} and {@code device_add} take it. */
    static Map<String, Object> device(Nic n, Integer bootIndex) {
        var dev = ordered("driver", "virtio-net-pci", "id", n.deviceId(), "netdev", n.netdevId(), "mac", n.mac());
        int slot = slot(n);
        dev.put("bus", slot < NIC_PORTS ? nicPort(slot) : "pcie.0");
        if (bootIndex != null) dev.put("bootindex", bootIndex);
        return dev;
    }

    static int slot(Nic n) { return number(n.device()); }

    private static String nicPort(int i) { return "rpnic" + i; }

    static int slot(Disk d) { return number(d.userdevice()); }

    private static int number(String device) {
        try { return Integer.parseInt(device); } catch (NumberFormatException e) { return Integer.MAX_VALUE; }
    }

    private static int lun(Disk d) { return Math.min(slot(d), 255); }

    /** Boot order from HVM_boot_params:order (c disk, d CD, n network), bootable VBDs first within each kind. */
    static Map<String, Integer> bootIndexes(String order, boolean directKernel, List<Disk> disks, List<Nic> nics) {
        var out = new LinkedHashMap<String, Integer>();
        if (directKernel) return out;
        String o = order == null || order.isBlank() ? "cd" : order.toLowerCase();
        Comparator<Disk> cmp = Comparator.comparing((Disk d) -> !d.bootable()).thenComparingInt(QemuCommand::slot);
        int next = 0;
        for (char c : o.toCharArray()) {
            switch (c) {
                case 'c' -> { for (Disk d : disks.stream().filter(d -> !d.cd()).sorted(cmp).toList()) out.putIfAbsent(d.deviceId(), next++); }
                case 'd' -> { for (Disk d : disks.stream().filter(Disk::cd).sorted(cmp).toList()) out.putIfAbsent(d.deviceId(), next++); }
                case 'n' -> { for (Nic n : nics) out.putIfAbsent(n.deviceId(), next++); }
                default -> { }
            }
        }
        return out;
    }

    static LinkedHashMap<String, Object> ordered(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String json(Map<String, ?> m) {
        try { return JSON.writeValueAsString(m); } catch (JsonProcessingException e) { throw new IllegalStateException(e); }
    }
}

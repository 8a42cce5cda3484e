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
 * VIFs' taps, a virtio balloon, a 16550 serial port, a standard VGA adapter — and nothing that {@code -nodefaults}
 * leaves out: no floppy controller, no PCNET, no legacy NICs or sound, no Cirrus VGA. Both consoles are unix
 * sockets in the private run directory (VNC for the display, the serial port with a copy logged to a file),
 * never TCP ports. QEMU runs under {@code -sandbox} with every deny option; the caller drops it to an
 * unprivileged user before exec.
 */
public final class QemuCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hot-pluggable PCIe slots for disks: one root port per disk userdevice 0..DISK_PORTS-1. */
    static final int DISK_PORTS = 8;
    public static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /** One VBD. {@code image} null for an empty CD drive. */
    public record Disk(String userdevice, boolean cd, Path image, String format, boolean readOnly, boolean bootable) {
        String deviceId() { return "vbd" + userdevice; }

        String nodeName() { return "vbd" + userdevice + "-fmt"; }
    }

    /** One VIF: the tap QEMU opens and the guest NIC's MAC. */
    public record Nic(String device, String tap, String mac) {}

    /** What the builder needs from the records, already checked by the runtime. */
    public record Spec(String uuid, String qemuBinary, String accel, long memoryMiB, long vcpus, long vcpusMax,
                       String kernel, String initrd, String append, boolean uefi, Path uefiCode, Path nvram,
                       String bootOrder, List<Disk> disks, List<Nic> nics, long videoMiB, Path runDir, String incoming) {}

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
        String machine = "q35,usb=off,vmport=off,dump-guest-core=off";
        if (s.uefi()) machine += ",pflash0=uefi-code,pflash1=uefi-vars";
        a.addAll(List.of("-machine", machine, "-accel", s.accel()));
        if (s.accel().equals("kvm")) a.addAll(List.of("-cpu", "host"));
        a.addAll(List.of("-m", "size=" + s.memoryMiB() + "M"));
        a.addAll(List.of("-smp", s.vcpus() + ",maxcpus=" + Math.max(s.vcpus(), s.vcpusMax())));
        a.addAll(List.of("-display", "none", "-vnc", "unix:" + vncSocket(s.runDir()),
                "-no-shutdown", "-S", "-rtc", "base=utc", "-msg", "timestamp=on"));
        a.addAll(List.of("-qmp", "unix:" + qmpSocket(s.runDir()) + ",server=on,wait=off"));
        a.addAll(List.of("-pidfile", pidFile(s.runDir()).toString()));
        a.addAll(List.of("-chardev", "socket,id=serial0,path=" + serialSocket(s.runDir()) + ",server=on,wait=off,logfile="
                + serialLog(s.runDir()) + ",logappend=on", "-serial", "chardev:serial0"));
        if (s.uefi()) {
            a.addAll(List.of("-blockdev", json(Map.of("driver", "file", "node-name", "uefi-code", "filename",
                    s.uefiCode().toString(), "read-only", true))));
            a.addAll(List.of("-blockdev", json(Map.of("driver", "file", "node-name", "uefi-vars", "filename", s.nvram().toString()))));
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
        Map<String, Integer> boot = bootIndexes(s.bootOrder(), s.kernel() != null, s.disks(), s.nics());
        boolean anyCd = s.disks().stream().anyMatch(Disk::cd);
        if (anyCd) a.addAll(List.of("-device", json(ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"))));
        for (Disk d : s.disks()) {
            if (d.image() != null) a.addAll(List.of("-blockdev", json(blockdev(d, d.nodeName()))));
            a.addAll(List.of("-device", json(device(d, boot.get(d.deviceId())))));
        }
        for (Nic n : s.nics()) {
            String id = "vif" + n.device();
            a.addAll(List.of("-netdev", "tap,id=" + id + ",ifname=" + n.tap() + ",script=no,downscript=no"));
            var dev = ordered("driver", "virtio-net-pci", "id", "nic" + n.device(), "netdev", id, "mac", n.mac(), "bus", "pcie.0");
            Integer bi = boot.get("nic" + n.device());
            if (bi != null) dev.put("bootindex", bi);
            a.addAll(List.of("-device", json(dev)));
        }
        a.addAll(List.of("-device", json(ordered("driver", "virtio-balloon-pci", "id", "balloon0", "bus", "pcie.0"))));
        a.addAll(List.of("-device", json(ordered("driver", "VGA", "id", "video0", "bus", "pcie.0", "vgamem_mb", s.videoMiB()))));
        if (s.incoming() != null) a.addAll(List.of("-incoming", s.incoming()));
        return a;
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

    static int slot(Disk d) {
        try { return Integer.parseInt(d.userdevice()); } catch (NumberFormatException e) { return Integer.MAX_VALUE; }
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
                case 'n' -> { for (Nic n : nics) out.putIfAbsent("nic" + n.device(), next++); }
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

package org.flotilla.runtime.launch;

import org.flotilla.runtime.domain.Domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.storage.LocalDir;
import org.flotilla.storage.IscsiLun;
import org.flotilla.storage.NfsDir;
import org.flotilla.storage.QemuSecrets;
import org.flotilla.storage.SrStore;
import org.flotilla.jail.JailRoot;

/**
 * The QEMU command line of a VM: the one place that decides what a VM's QEMU looks like. A q35 machine with
 * only what the VM's records ask for — virtio disks (CDs as scsi-cd on virtio-scsi), virtio-net NICs on the
 * VIFs' taps, a virtio balloon, a 16550 serial port, a standard VGA adapter, a pvpanic device — and nothing
 * that {@code -nodefaults} leaves out: no floppy controller, no PCNET, no legacy NICs or sound, no Cirrus VGA.
 * Disks and NICs sit on PCIe root ports of their own, so that they can be plugged and unplugged while the guest
 * runs (q35 cannot hot-plug devices on the root complex itself). Both consoles are unix sockets in the private
 * run directory (VNC for the display, the serial port with a copy logged to a file), never TCP ports. QEMU runs
 * under {@code -sandbox} with every deny option, in its VM's jail ({@link org.flotilla.jail.Jail}), where the
 * run directory is {@code /vm}: it opens no file of the host by path, its disks, firmware and taps come as
 * descriptors the daemon opened ({@link Handles}).
 */
public final class QemuCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The machine type every VM is. */
    static final String MACHINE = "q35";
    /** Hot-pluggable PCIe slots for disks: one root port per disk userdevice 0..DISK_PORTS-1. */
    public static final int DISK_PORTS = 8;
    /** Hot-pluggable PCIe slots for NICs: one root port per VIF device 0..NIC_PORTS-1 (XAPI offers 0..15). */
    public static final int NIC_PORTS = 16;
    /** The NIC ports take whole PCI slots from here on, eight ports (functions) per slot. */
    private static final int NIC_PORT_FIRST_SLOT = 0x10;
    public static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /** One layer of a disk image: a file directly inside the image's directory, and its format. */
    public record Layer(String file, String format) {}

    /**
     * A disk image as QEMU opens it: its chain of layers in {@code dir}, top (the one written) first. A local directory's
     * layers are opened by the daemon and handed over as descriptors; an NFS directory's QEMU opens itself with its nfs
     * driver (there is no descriptor to hand over), its server a numeric address (the jail has no resolver).
     */
    public record DiskImage(SrStore dir, List<Layer> layers) {
        public DiskImage {
            if (layers.isEmpty()) throw new IllegalArgumentException("a disk image needs a layer");
            layers = List.copyOf(layers);
        }

        /** Whether the daemon hands QEMU a descriptor set per layer. */
        public boolean byDescriptors() { return dir instanceof LocalDir; }
    }

    /** One VBD. {@code image} null for an empty CD drive. */
    public record Disk(String userdevice, boolean cd, DiskImage image, boolean readOnly, boolean bootable) {
        public String deviceId() { return deviceId(userdevice); }

        /** The guest device of the VBD with this userdevice. */
        public static String deviceId(String userdevice) { return "vbd" + userdevice; }

        /** The node the guest device reads: the top layer's. */
        public String nodeName() { return layerNode(0); }

        /** Layer {@code i}'s node (0 the top); every node of the disk starts with the {@link #nodePrefix}. */
        String layerNode(int i) { return i == 0 ? topNode(userdevice) : nodePrefix() + "b" + i; }

        public String nodePrefix() { return prefix(userdevice); }

        /** The top node of the disk of the VBD with this userdevice. */
        public static String topNode(String userdevice) { return prefix(userdevice) + "fmt"; }

        private static String prefix(String userdevice) { return "vbd" + userdevice + "-"; }

        /** The tag of the disk's fdsets, so that they can be found and removed with it. */
        public String fdsetTag() { return deviceId(); }
    }

    /** One VIF: the tap the daemon opens for QEMU, and the guest NIC's MAC. */
    public record Nic(String device, String tap, String mac) {
        public String netdevId() { return "vif" + device; }

        public String deviceId() { return "nic" + device; }
    }

    /**
     * UEFI firmware: OVMF's code image and the VM's own variable store. Secure Boot needs OVMF's secboot build,
     * which only runs with SMM and a flash that only SMM code may write.
     */
    public record Uefi(Path code, Path vars, boolean secureBoot) {}

    /** A TPM 2.0 (CRB interface) backed by the VM's swtpm, whose state directory this is. */
    public record Tpm(Path state) {}

    /** A file booted directly: {@code name} beneath {@code dir}, one of the allowed kernel directories. */
    public record BootFile(Path dir, String name) {}

    /** A kernel booted directly, and its initrd (or null). */
    public record Boot(BootFile kernel, BootFile initrd) {}

    /**
     * What the builder needs from the records, already checked by the runtime. {@code uefi} null for SeaBIOS,
     * {@code cpuProperties} the extra {@code -cpu} properties (Hyper-V enlightenments), {@code boot} null to boot
     * from the devices, {@code tpm} null for no TPM.
     */
    public record Spec(String uuid, String qemuBinary, String accel, List<String> cpuProperties, long memoryMiB, long vcpus,
                       long vcpusMax, Boot boot, String append, Uefi uefi, String bootOrder,
                       List<Disk> disks, List<Nic> nics, long videoMiB, String incoming, Tpm tpm) {}

    /**
     * What the launcher opened for the spec and hands QEMU: each disk's fdsets (by userdevice, top layer first),
     * each NIC's tap descriptor (by device), the firmware's fdsets, and the {@code -add-fd} options that make the
     * fdsets from the inherited descriptors.
     */
    public record Handles(Map<String, DiskSets> diskSets, Map<String, Integer> tapFds, int uefiCodeSet, int uefiVarsSet,
                          List<String> addFds) {}

    /** A disk's fdsets, one per layer, top first, and whether their descriptors bypass the page cache (DiskDescriptors). */
    public record DiskSets(List<Integer> ids, boolean direct) {
        public DiskSets { ids = List.copyOf(ids); }
    }

    /** Where the run directory is inside QEMU's jail: every path on its command line is there. */
    public static final Path JAILED = JailRoot.RUN;
    static final String KERNEL = "kernel";
    static final String INITRD = "initrd";

    public static Path qmpSocket(Path runDir) { return runDir.resolve("qmp.sock"); }

    public static Path pidFile(Path runDir) { return runDir.resolve("qemu.pid"); }

    public static Path serialLog(Path runDir) { return runDir.resolve("serial.log"); }

    /** The serial port, both ways (what the guest prints also goes to {@link #serialLog}). */
    public static Path serialSocket(Path runDir) { return runDir.resolve("serial.sock"); }

    /** The VGA display as a VNC (RFB) server. */
    public static Path vncSocket(Path runDir) { return runDir.resolve("vnc.sock"); }

    /** The control socket of the VM's swtpm, which QEMU connects to. */
    public static Path tpmSocket(Path runDir) { return runDir.resolve("swtpm.sock"); }

    public static List<String> argv(Spec s, Handles h) {
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
        a.addAll(List.of("-display", "none", "-vnc", "unix:" + vncSocket(JAILED),
                "-no-shutdown", "-S", "-rtc", "base=utc", "-msg", "timestamp=on"));
        // a panicking guest (pvpanic) is stopped, not ended: actions_after_crash decides what follows
        a.addAll(List.of("-action", "panic=pause"));
        a.addAll(List.of("-qmp", "unix:" + qmpSocket(JAILED) + ",server=on,wait=off"));
        a.addAll(List.of("-chardev", "socket,id=fdmon,path=" + Domain.fdSocket(JAILED) + ",server=on,wait=off", "-mon", "chardev=fdmon,mode=control"));
        a.addAll(List.of("-pidfile", pidFile(JAILED).toString()));
        a.addAll(List.of("-chardev", "socket,id=serial0,path=" + serialSocket(JAILED) + ",server=on,wait=off,logfile="
                + serialLog(JAILED) + ",logappend=on", "-serial", "chardev:serial0"));
        for (String fd : h.addFds()) a.addAll(List.of("-add-fd", fd));
        if (s.uefi() != null) {
            a.addAll(List.of("-blockdev", json(ordered("driver", "file", "node-name", "uefi-code", "filename", fdset(h.uefiCodeSet()),
                    "read-only", true))));
            a.addAll(List.of("-blockdev", json(ordered("driver", "file", "node-name", "uefi-vars", "filename", fdset(h.uefiVarsSet())))));
            if (s.uefi().secureBoot()) a.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
        }
        if (s.boot() != null) {
            a.addAll(List.of("-kernel", JAILED.resolve(KERNEL).toString()));
            if (s.boot().initrd() != null) a.addAll(List.of("-initrd", JAILED.resolve(INITRD).toString()));
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
        Map<String, Integer> boot = bootIndexes(s.bootOrder(), s.boot() != null, s.disks(), s.nics());
        boolean anyCd = s.disks().stream().anyMatch(Disk::cd);
        if (anyCd) a.addAll(List.of("-device", json(ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"))));
        var disks = new ArrayList<String>();
        for (Disk d : s.disks()) {
            if (d.image() != null) for (var node : blockdevs(d, h.diskSets().get(d.userdevice()))) disks.addAll(List.of("-blockdev", json(node)));
            disks.addAll(List.of("-device", json(device(d, boot.get(d.deviceId())))));
        }
        // the files are put in the run directory for QEMU to read at start (QemuLauncher)
        for (String id : QemuSecrets.namedIn(String.join("\n", disks))) a.addAll(List.of("-object", QemuSecrets.object(id, JAILED.resolve(id))));
        a.addAll(disks);
        for (Nic n : s.nics()) {
            a.addAll(List.of("-netdev", "tap,id=" + n.netdevId() + ",fd=" + h.tapFds().get(n.device())));
            a.addAll(List.of("-device", json(device(n, boot.get(n.deviceId())))));
        }
        a.addAll(List.of("-device", json(ordered("driver", "virtio-balloon-pci", "id", "balloon0", "bus", "pcie.0"))));
        if (s.tpm() != null) {
            a.addAll(List.of("-chardev", "socket,id=chrtpm,path=" + tpmSocket(JAILED)));
            a.addAll(List.of("-tpmdev", "emulator,id=tpm0,chardev=chrtpm"));
            a.addAll(List.of("-device", json(ordered("driver", "tpm-crb", "id", "tpm", "tpmdev", "tpm0"))));
        }
        a.addAll(List.of("-device", json(ordered("driver", "pvpanic-pci", "id", "pvpanic0", "bus", "pcie.0"))));
        a.addAll(List.of("-device", json(ordered("driver", "VGA", "id", "video0", "bus", "pcie.0", "vgamem_mb", s.videoMiB()))));
        if (s.incoming() != null) a.addAll(List.of("-incoming", s.incoming()));
        return a;
    }

    /** The file QEMU opens for an fdset: one of the set's descriptors, the one with the access it asks for. */
    public static String fdset(int set) { return "/dev/fdset/" + set; }

    /**
     * The protocol node of a disk image the daemon hands over as an fdset, without QEMU's image locks. Those locks are
     * taken per open file description, and an fdset keeps one of each access mode open for the VM's life: once a node
     * goes from read-write to read-only (the old top of an online snapshot), the read-write description keeps the
     * locks it had, and QEMU's next check of its own (taking the disks back after a checkpoint's memory is saved, or
     * after a migration is cancelled) fails on them. Who may open an image is the daemon's: one read-write
     * attachment per VDI, checked against the pool's records.
     */
    public static Map<String, Object> descriptorFile(int set, boolean direct) {
        var node = ordered("driver", "file", "filename", fdset(set), "locking", "off");
        if (direct) node.put("cache", directCache());
        return node;
    }

    /** A node's {@code cache} when its descriptors were opened with O_DIRECT (DiskDescriptors). */
    private static Map<String, Object> directCache() { return ordered("direct", true); }

    /** KVM runs the host's CPU model; TCG its default model, named only when properties go with it. */
    private static String cpu(Spec s) {
        boolean kvm = s.accel().equals("kvm");
        if (!kvm && s.cpuProperties().isEmpty()) return null;
        var parts = new ArrayList<String>();
        parts.add(kvm ? "host" : "qemu64");
        parts.addAll(s.cpuProperties());
        return String.join(",", parts);
    }

    /**
     * The nodes of a disk's image, bottom layer first (each names the one below as its {@code backing}, the
     * bottom none): as {@code -blockdev} and QMP {@code blockdev-add} take them. QEMU never opens a backing file
     * by the name written in an image's header. {@code sets}: the layers' fdsets, top first. Every layer but
     * the top is read-only; the top too for a read-only disk.
     */
    public static List<Map<String, Object>> blockdevs(Disk d, DiskSets sets) {
        List<Layer> layers = d.image().layers();
        boolean fds = d.image().byDescriptors();
        if (fds && (sets == null || sets.ids().size() != layers.size())) throw new IllegalArgumentException("disk " + d.userdevice() + ": no fdset per layer");
        boolean direct = fds && sets.direct();
        var out = new ArrayList<Map<String, Object>>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            boolean ro = i > 0 || d.readOnly();
            var file = fds ? descriptorFile(sets.ids().get(i), direct) : remoteFile(d.image().dir(), layers.get(i).file());
            if (ro) file.put("read-only", true);
            var node = ordered("driver", layers.get(i).format(), "node-name", d.layerNode(i), "file", file);
            if (direct) node.put("cache", directCache());
            if (layers.get(i).format().equals("qcow2")) node.put("backing", i == layers.size() - 1 ? null : d.layerNode(i + 1));
            if (ro) node.put("read-only", true);
            out.add(node);
        }
        return out;
    }

    /** A layer QEMU opens itself, over the network: on NFS with its nfs driver, an extent of an iSCSI LUN with its iscsi driver. */
    @SuppressWarnings("unchecked")
    public static LinkedHashMap<String, Object> remoteFile(SrStore dir, String file) {
        return switch (dir) {
            case NfsDir nfs -> nfsFile(nfs, file);
            case IscsiLun lun -> JSON.convertValue(lun.fileNode(file), LinkedHashMap.class);
            case LocalDir local -> throw new IllegalArgumentException(local.where() + " is reached through descriptors");
        };
    }

    /**
     * A layer on NFS as QEMU's nfs driver opens it, with the identity every host presents to the SR's server (NfsDir),
     * whatever the jail's uid; libnfs's page cache stays off (its default), which a migration's destination relies on.
     */
    public static LinkedHashMap<String, Object> nfsFile(NfsDir dir, String file) {
        return ordered("driver", "nfs", "server", ordered("type", "inet", "host", dir.server()), "path", dir.serverPath(file),
                "user", NfsDir.UID, "group", NfsDir.GID);
    }

    /** The guest's device for a disk, as {@code -device} and QMP {@code device_add} take it. */
    public static Map<String, Object> device(Disk d, Integer bootIndex) {
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

    /** The tap backend of a NIC, as QMP {@code netdev_add} takes it: on the descriptor passed as {@code fdName} (getfd). */
    public static Map<String, Object> netdev(Nic n, String fdName) {
        return ordered("type", "tap", "id", n.netdevId(), "fd", fdName);
    }

    /** The guest's NIC for a VIF, on its own root port when it has one, as {@code -device} and {@code device_add} take it. */
    public static Map<String, Object> device(Nic n, Integer bootIndex) {
        var dev = ordered("driver", "virtio-net-pci", "id", n.deviceId(), "netdev", n.netdevId(), "mac", n.mac());
        int slot = slot(n);
        dev.put("bus", slot < NIC_PORTS ? nicPort(slot) : "pcie.0");
        if (bootIndex != null) dev.put("bootindex", bootIndex);
        return dev;
    }

    public static int slot(Nic n) { return number(n.device()); }

    private static String nicPort(int i) { return "rpnic" + i; }

    public static int slot(Disk d) { return number(d.userdevice()); }

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

    public static LinkedHashMap<String, Object> ordered(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** A node or device description as one JSON object, as {@code -blockdev} and {@code -device} take it. */
    public static String json(Map<String, ?> m) {
        try { return JSON.writeValueAsString(m); } catch (JsonProcessingException e) { throw new IllegalStateException(e); }
    }
}

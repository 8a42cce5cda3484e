package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.os.TcpSockets;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.storage.BlockExports;
import org.flotilla.storage.Storage;

/**
 * The destination's side of the disks that move with a VM (Storage XenMotion): a VDI made in the mapped SR for each,
 * of the same virtual size. A running VM's QEMU, started on them, serves them writable over NBD (each disk's export
 * named after its node) on a TCP port the daemon opens and hands it, over TLS with the migration's identity
 * ({@link QemuTls}), which lets in the source's QEMU alone; a halted VM's, which no QEMU runs, a storage daemon of the
 * daemon's ({@link BlockExports}), the same way, for the source's qemu-img.
 */
final class ArrivingDisks {
    private static final System.Logger LOG = System.getLogger(ArrivingDisks.class.getName());
    private static final String LISTENING_FD = "nbd-in";

    private final Storage storage;
    /** The source's VDI, by the VDI made for it here. */
    private final Map<Ref<VDI>, Ref<VDI>> made;
    private volatile boolean qemuServes;
    private volatile BlockExports diskServer;

    private ArrivingDisks(Storage storage, Map<Ref<VDI>, Ref<VDI>> made) {
        this.storage = storage;
        this.made = made;
    }

    /** The VDIs made here for {@code disks} (source VDI to SR here); none is left if one cannot be made. */
    static ArrivingDisks make(Database db, Storage storage, Map<String, String> disks) {
        var from = new LinkedHashMap<Ref<VDI>, Rec<VDI>>();
        var to = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        disks.forEach((vdi, sr) -> {
            Ref<VDI> ref = VDI.CLASS.ref(vdi);
            db.require(ref);
            from.put(ref, db.record(ref));
            to.put(ref, SR.CLASS.ref(sr));
        });
        return make(storage, from, to);
    }

    /**
     * A VDI made in the SR {@code to} maps each VDI to, like the VDI's record in {@code from} (a VDI of this pool, or
     * of the pool a VM comes from); none is left if one cannot be made.
     */
    static ArrivingDisks make(Storage storage, Map<Ref<VDI>, Rec<VDI>> from, Map<Ref<VDI>, Ref<SR>> to) {
        var out = new ArrivingDisks(storage, new LinkedHashMap<>());
        try {
            for (var e : to.entrySet()) {
                Rec<VDI> like = from.get(e.getKey());
                if (like == null) throw ApiError.handleInvalid(e.getKey());
                Ref<VDI> made = storage.createVdiWhereItBelongs(Rec.empty(VDI.CLASS)
                        .set(VDI.SR, e.getValue())
                        .set(VDI.name_label, like.get(VDI.name_label))
                        .set(VDI.name_description, like.get(VDI.name_description))
                        .set(VDI.virtual_size, like.get(VDI.virtual_size))
                        .set(VDI.type, like.get(VDI.type))
                        .set(VDI.sharable, like.get(VDI.sharable))
                        .set(VDI.read_only, like.get(VDI.read_only))
                        .set(VDI.other_config, like.get(VDI.other_config)));
                out.made.put(e.getKey(), made);
            }
            return out;
        } catch (RuntimeException e) {
            out.destroy();
            throw e;
        }
    }

    Map<Ref<VDI>, Ref<VDI>> made() { return made; }

    /** For the source: each of its VDIs and the one made here, by reference. */
    Map<String, String> byReference() {
        var out = new LinkedHashMap<String, String>();
        made.forEach((from, to) -> out.put(from.value(), to.value()));
        return out;
    }

    /**
     * QEMU serves the new disks of {@code vm}'s VBDs over NBD at a port of {@code address}, with TLS as the QEMU object
     * {@code tlsCreds} says. Returns the port.
     */
    int serve(Database db, Domain d, Ref<VM> vm, InetAddress address, String tlsCreds) throws IOException {
        // the disks become the guest's only at cont, after the exports are gone, not when the stream has been loaded
        // (QEMU reports it complete before it activates them, and the exports hold them for writing until stopped)
        d.qmp.execute("migrate-set-capabilities", Map.of("capabilities", List.of(Map.of("capability", "late-block-activate", "state", true))));
        var exported = nodes(db, vm).keySet();
        TcpSockets.Listening listening = QemuSockets.listen(address, made.size() + 4);
        QemuSockets.handOver(d, LISTENING_FD, listening.fd(), "nbd-server-start", Map.of(
                "addr", Map.of("type", "fd", "data", Map.of("str", LISTENING_FD)), "tls-creds", tlsCreds,
                "max-connections", BlockExports.connectionsFor(exported.size())));
        qemuServes = true;
        for (String node : exported) {
            d.qmp.execute("block-export-add", Map.of("type", "nbd", "id", "export-" + node, "node-name", node,
                    "name", node, "writable", true));
        }
        return listening.port();
    }

    /**
     * The same for a halted VM, which no QEMU runs here: a qemu-storage-daemon of the daemon's serves the new disks
     * (its own and those {@link #copies}), showing {@code identity} and letting in the holder of {@code certificate}'s
     * key alone. Returns the port.
     */
    int serveHalted(Database db, Ref<VM> vm, InetAddress address, QemuTls identity, String certificate) throws IOException, InterruptedException {
        var nodes = nodes(db, vm);
        nodes.putAll(copies(db, vm));
        return serveByStorageDaemon(nodes, address, identity, certificate);
    }

    /**
     * For a running VM whose QEMU serves its own disks: a storage daemon serves the disks no VBD of it plugs (its
     * snapshots'), as for a halted VM; 0 when there are none.
     */
    int serveCopies(Database db, Ref<VM> vm, InetAddress address, QemuTls identity, String certificate) throws IOException, InterruptedException {
        var copies = copies(db, vm);
        return copies.isEmpty() ? 0 : serveByStorageDaemon(copies, address, identity, certificate);
    }

    private int serveByStorageDaemon(Map<String, String> nodes, InetAddress address, QemuTls identity, String certificate)
            throws IOException, InterruptedException {
        TcpSockets.Listening listening = QemuSockets.listen(address, made.size() + 4);
        Path tls = null;
        try {
            tls = identity.writeTempFiles(QemuTls.End.SERVER, certificate);
            diskServer = BlockExports.startOverTls(List.copyOf(nodes.values()),
                    nodes.keySet().stream().map(node -> new BlockExports.Export(node, node, true)).toList(), listening.fd(), tls);
            return listening.port();
        } catch (IOException e) {
            throw ApiError.internal("qemu-storage-daemon did not serve the disks: " + e.getMessage());
        } finally {
            listening.close();
            if (tls != null) HostFiles.deleteTree(tls);
        }
    }

    /**
     * The name a disk copied along unplugged (a snapshot's, a checkpoint's memory) is served under, from the VDI made
     * for it here: both sides know that reference, and it is unique within the migration. Short enough for a node name.
     */
    static String copyExport(String madeVdi) {
        String hex = madeVdi.substring(madeVdi.indexOf(':') + 1).replace("-", "");
        return "copy-" + hex.substring(0, Math.min(24, hex.length()));
    }

    /** The VDIs made here that no VBD of {@code vm} plugs, by export name, each with its description for a storage daemon. */
    private Map<String, String> copies(Database db, Ref<VM> vm) {
        var plugged = new HashSet<Ref<VDI>>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) plugged.add(b.get(VBD.VDI));
        var out = new LinkedHashMap<String, String>();
        made.forEach((from, to) -> {
            if (plugged.contains(from) || plugged.contains(to)) return;
            String node = copyExport(to.value());
            out.put(node, storage.blockdev(to, node));
        });
        return out;
    }

    /** Each new disk's node (and export) name, as the VM's QEMU names the VBD's, with its description for a storage daemon. */
    private Map<String, String> nodes(Database db, Ref<VM> vm) {
        var out = new LinkedHashMap<String, String>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) {
            Ref<VDI> to = made.get(b.get(VBD.VDI));
            // a VM from another pool was recorded here on the new VDIs already
            if (to == null && made.containsValue(b.get(VBD.VDI))) to = b.get(VBD.VDI);
            if (to == null) continue;
            String node = QemuCommand.Disk.topNode(b.get(VBD.userdevice));
            out.put(node, storage.blockdev(to, node));
        }
        return out;
    }

    /** The disks have all arrived: QEMU (or the storage daemon) stops serving them before the guest runs on them. */
    void arrived(Domain d) throws IOException, InterruptedException {
        if (qemuServes) d.qmp.execute("nbd-server-stop");
        stopDiskServer();
    }

    private void stopDiskServer() {
        BlockExports ds = diskServer;
        diskServer = null;
        if (ds != null) ds.close();
    }

    /** The VM did not come: the VDIs made for it go (its QEMU must have ended first). */
    void destroy() {
        stopDiskServer();
        for (Ref<VDI> v : List.copyOf(made.values())) {
            try {
                storage.destroyVdiWhereItBelongs(v);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot destroy VDI " + v.value() + " made for a migration that failed: " + e.getMessage());
            }
        }
    }
}

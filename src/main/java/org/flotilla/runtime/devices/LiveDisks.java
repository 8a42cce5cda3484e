package org.flotilla.runtime.devices;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.os.OsException;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.DiskDescriptors;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.NfsAddress;
import org.flotilla.storage.LocalDir;
import org.flotilla.storage.OnlineDisks;
import org.flotilla.storage.SrStore;

/** What the storage asks of a running VM's QEMU: growing a disk, writing to a snapshot's new overlay, merging a chain's images. */
public final class LiveDisks implements OnlineDisks {
    private final Database db;
    private final Domains domains;

    public LiveDisks(Database db, Domains domains) {
        this.db = db;
        this.domains = domains;
    }

    @Override
    public void resize(Ref<VDI> vdi, Ref<VBD> vbd, long newSize) {
        String vdiRef = vdi.value();
        DbObject<VBD> b = db.require(vbd);
        Qmp qmp = qmpOf(b, vdiRef, "resize");
        try {
            String node = topNode(qmp, b, vdiRef, "resize");
            qmp.execute("block_resize", Map.of("node-name", node, "size", newSize));
        } catch (QmpException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "online resize failed: " + e.getMessage());
        }
    }

    @Override
    public void switchToOverlay(Ref<VDI> vdi, Ref<VBD> vbd, SrStore dir, String overlay) {
        String vdiRef = vdi.value();
        DbObject<VBD> b = db.require(vbd);
        Domain d = domains.get(b.get(VBD.VM));
        if (d == null) throw ApiError.of("VDI_IN_USE", vdiRef, "snapshot");
        Qmp qmp = d.qmp;
        // named like every node of the disk, and its fdset tagged like theirs: it goes with them at unplug
        String newNode = VbdHotplug.deviceId(b) + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try {
            String node = topNode(qmp, b, vdiRef, "snapshot");
            var args = QemuCommand.ordered("driver", "qcow2", "node-name", newNode, "file", imageFile(d, VbdHotplug.deviceId(b), dir, overlay));
            args.put("backing", null);
            qmp.execute("blockdev-add", args);
            qmp.execute("blockdev-snapshot", Map.of("node", node, "overlay", newNode));
        } catch (QmpException | OsException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "online snapshot failed: " + e.getMessage());
        }
    }

    @Override
    public void stream(Ref<VDI> vdi, Ref<VBD> vbd, String backingFile, Runnable started) {
        DbObject<VBD> b = db.require(vbd);
        Qmp qmp = qmpOf(b, vdi.value(), "coalesce");
        try {
            DiskStream.pull(qmp, VbdHotplug.deviceId(b), backingFile, started);
        } catch (QmpException | TimeoutException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "online merge failed: " + e.getMessage());
        }
    }

    /**
     * The protocol node of an image the daemon adds to a running disk: a descriptor set of it (tagged {@code tag}) in a
     * local directory, QEMU's nfs driver on NFS.
     */
    static Map<String, Object> imageFile(Domain d, String tag, SrStore dir, String image) throws QmpException, OsException {
        if (!(dir instanceof LocalDir local)) return QemuCommand.remoteFile(NfsAddress.numeric(dir), image);
        DiskDescriptors.Opened fds = DiskDescriptors.open(local.path(), List.of(local.file(image).getFileName().toString()), true);
        try {
            int set = LiveBlockNodes.addFdsets(d, fds.layers(), tag).getFirst();
            return QemuCommand.descriptorFile(set, fds.direct());
        } finally {
            fds.close();
        }
    }

    /** The QMP of the VBD's VM; VDI_IN_USE if it has no QEMU here. */
    private Qmp qmpOf(DbObject<VBD> b, String vdiRef, String op) {
        Domain d = domains.get(b.get(VBD.VM));
        if (d == null) throw ApiError.of("VDI_IN_USE", vdiRef, op);
        return d.qmp;
    }

    private static String topNode(Qmp qmp, DbObject<VBD> b, String vdiRef, String op) throws QmpException {
        String node = BlockNodes.top(qmp, VbdHotplug.deviceId(b));
        if (node == null) throw ApiError.of("VDI_IN_USE", vdiRef, op);
        return node;
    }
}

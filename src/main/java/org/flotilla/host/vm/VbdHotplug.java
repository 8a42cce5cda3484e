package org.flotilla.host.vm;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.vm.VbdRecords;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpException;
import org.flotilla.storage.Storage;

/** VBD.plug, unplug and unplug_force under a running QEMU, and VBD.insert / eject of a CD's medium. */
final class VbdHotplug {
    private final Database db;
    private final Storage storage;
    private final Domains domains;
    private final LaunchSpecs specs;
    private final QemuFiles files;
    private final DeviceOperations deviceOps;

    VbdHotplug(Database db, Storage storage, Domains domains, LaunchSpecs specs, QemuFiles files, DeviceOperations deviceOps) {
        this.db = db;
        this.storage = storage;
        this.domains = domains;
        this.specs = specs;
        this.files = files;
        this.deviceOps = deviceOps;
    }

    void plug(String vbdRef) {
        DbObject b = db.require("VBD", vbdRef);
        String vmRef = b.string("VM");
        if (b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_ATTACHED", vbdRef);
        Qmp qmp = domains.running(vmRef).qmp;
        for (DbObject o : db.where("VBD", o -> vmRef.equals(o.get("VM")) && o.bool("currently_attached"))) {
            if (o.string("userdevice").equals(b.string("userdevice"))) throw ApiError.of("DEVICE_ALREADY_EXISTS", b.string("userdevice"));
        }
        QemuCommand.Disk disk = specs.disk(b);
        if (!disk.cd() && QemuCommand.slot(disk) >= QemuCommand.DISK_PORTS) {
            throw ApiError.of("INVALID_DEVICE", b.string("userdevice"));
        }
        try {
            if (disk.image() != null) {
                files.grantImage(disk.image());
                qmp.execute("blockdev-add", QemuCommand.blockdev(disk, disk.nodeName()));
            }
            // CDs hang off a SCSI controller, added with the first of them
            if (disk.cd() && !qmp.execute("qom-list", Map.of("path", "/machine/peripheral")).toString().contains("\"scsi0\"")) {
                qmp.execute("device_add", QemuCommand.ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"));
            }
            try {
                qmp.execute("device_add", QemuCommand.device(disk, null));
            } catch (QmpException e) {
                if (disk.image() != null) {
                    try { qmp.execute("blockdev-del", Map.of("node-name", disk.nodeName())); } catch (QmpException ignored) { }
                }
                throw e;
            }
        } catch (QmpException e) {
            throw ApiError.internal("VBD.plug: " + e.getMessage());
        }
        setAttached(vbdRef, true);
    }

    void unplug(String vbdRef, boolean force) {
        DbObject b = db.require("VBD", vbdRef);
        if (!b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_DETACHED", vbdRef);
        if (!force && !b.bool("unpluggable")) throw ApiError.of("VBD_NOT_UNPLUGGABLE", vbdRef);
        Qmp qmp = domains.running(b.string("VM")).qmp;
        String id = deviceId(b);
        try {
            String node = BlockNodes.top(qmp, id);
            long mark = qmp.eventMark();
            qmp.execute("device_del", Map.of("id", id));
            try {
                qmp.awaitEvent(mark, "DEVICE_DELETED", e -> id.equals(e.dataText("device")), Duration.ofSeconds(force ? 5 : 30));
            } catch (TimeoutException e) {
                throw ApiError.of("DEVICE_DETACH_REJECTED", "VBD", vbdRef, "the guest did not release device " + id);
            }
            if (node != null) {
                try { qmp.execute("blockdev-del", Map.of("node-name", node)); } catch (QmpErrorException ignored) { }
            }
        } catch (QmpException e) {
            throw ApiError.internal("VBD.unplug: " + e.getMessage());
        }
        setAttached(vbdRef, false);
    }

    void insert(String vbdRef, String vdiRef) {
        DbObject b = db.require("VBD", vbdRef);
        db.require("VDI", vdiRef);
        requireCd(b);
        if (!b.bool("empty")) throw ApiError.of("VBD_NOT_EMPTY", vbdRef);
        Qmp qmp = attachedQmp(b);
        if (qmp != null) {
            Storage.Attachment a = storage.attachment(vdiRef);
            specs.requireImage(vdiRef, a);
            var disk = new QemuCommand.Disk(b.string("userdevice"), true, a.image(), a.format(), true, b.bool("bootable"));
            files.grantImage(a.image());
            try {
                qmp.execute("blockdev-add", QemuCommand.blockdev(disk, disk.nodeName()));
                qmp.execute("blockdev-open-tray", Map.of("id", disk.deviceId(), "force", true));
                qmp.execute("blockdev-insert-medium", Map.of("id", disk.deviceId(), "node-name", disk.nodeName()));
                qmp.execute("blockdev-close-tray", Map.of("id", disk.deviceId()));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.insert: " + e.getMessage());
            }
        }
        setMedium(vbdRef, vdiRef);
    }

    void eject(String vbdRef) {
        DbObject b = db.require("VBD", vbdRef);
        requireCd(b);
        if (b.bool("empty")) throw ApiError.of("VBD_IS_EMPTY", vbdRef);
        Qmp qmp = attachedQmp(b);
        if (qmp != null) {
            String id = deviceId(b);
            try {
                String node = BlockNodes.top(qmp, id);
                qmp.execute("blockdev-open-tray", Map.of("id", id, "force", true));
                qmp.execute("blockdev-remove-medium", Map.of("id", id));
                if (node != null) qmp.execute("blockdev-del", Map.of("node-name", node));
                qmp.execute("blockdev-close-tray", Map.of("id", id));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.eject: " + e.getMessage());
            }
        }
        setMedium(vbdRef, ClassDef.NULL_REF);
    }

    /** The guest device of a VBD, as QemuCommand names it. */
    static String deviceId(DbObject vbd) { return "vbd" + vbd.string("userdevice"); }

    private static void requireCd(DbObject b) {
        if (!"CD".equals(b.string("type"))) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", b.ref());
    }

    /** The QMP of the VBD's QEMU if the VBD is plugged into one; else the medium changes in the records only. */
    private Qmp attachedQmp(DbObject b) {
        Domain d = b.bool("currently_attached") ? domains.get(b.string("VM")) : null;
        return d == null ? null : d.qmp;
    }

    private void setAttached(String vbdRef, boolean attached) {
        db.write(tx -> {
            tx.set("VBD", vbdRef, "currently_attached", attached);
            DbObject b = db.get("VBD", vbdRef);
            if (attached && b != null) tx.set("VBD", vbdRef, "device", VbdRecords.linuxDevice(b.string("userdevice")));
        });
        deviceOps.update("VBD", vbdRef);
    }

    private void setMedium(String vbdRef, String vdiRef) {
        db.write(tx -> { tx.set("VBD", vbdRef, "VDI", vdiRef); tx.set("VBD", vbdRef, "empty", ClassDef.NULL_REF.equals(vdiRef)); });
        deviceOps.update("VBD", vbdRef);
    }
}

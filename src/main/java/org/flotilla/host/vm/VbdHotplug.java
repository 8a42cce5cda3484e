package org.flotilla.host.vm;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VbdRecords;

/** VBD.plug, unplug and unplug_force under a running QEMU, and VBD.insert / eject of a CD's medium. */
final class VbdHotplug {
    private final Database db;
    private final Storage storage;
    private final Domains domains;
    private final LaunchSpecs specs;
    private final DeviceOperations deviceOps;

    VbdHotplug(Database db, Storage storage, Domains domains, LaunchSpecs specs, DeviceOperations deviceOps) {
        this.db = db;
        this.storage = storage;
        this.domains = domains;
        this.specs = specs;
        this.deviceOps = deviceOps;
    }

    void plug(String vbdRef) {
        DbObject<?> b = db.require("VBD", vbdRef);
        String vmRef = b.string("VM");
        if (b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_ATTACHED", vbdRef);
        Domain dom = domains.running(vmRef);
        Qmp qmp = dom.qmp;
        for (DbObject<?> o : db.where("VBD", o -> vmRef.equals(o.get("VM")) && o.bool("currently_attached"))) {
            if (o.string("userdevice").equals(b.string("userdevice"))) throw ApiError.of("DEVICE_ALREADY_EXISTS", b.string("userdevice"));
        }
        QemuCommand.Disk disk = specs.disk(b);
        if (!disk.cd() && QemuCommand.slot(disk) >= QemuCommand.DISK_PORTS) {
            throw ApiError.of("INVALID_DEVICE", b.string("userdevice"));
        }
        try {
            if (disk.image() != null) LiveBlockNodes.add(dom, qmp, disk);
            // CDs hang off a SCSI controller, added with the first of them
            if (disk.cd() && !qmp.execute("qom-list", Map.of("path", "/machine/peripheral")).toString().contains("\"scsi0\"")) {
                qmp.execute("device_add", QemuCommand.ordered("driver", "virtio-scsi-pci", "id", "scsi0", "bus", "pcie.0"));
            }
            try {
                qmp.execute("device_add", QemuCommand.device(disk, null));
            } catch (QmpException e) {
                if (disk.image() != null) LiveBlockNodes.remove(qmp, disk.nodePrefix(), disk.fdsetTag());
                throw e;
            }
        } catch (QmpException e) {
            throw ApiError.internal("VBD.plug: " + e.getMessage());
        }
        setAttached(vbdRef, true);
    }

    void unplug(String vbdRef, boolean force) {
        DbObject<?> b = db.require("VBD", vbdRef);
        if (!b.bool("currently_attached")) throw ApiError.of("DEVICE_ALREADY_DETACHED", vbdRef);
        if (!force && !b.bool("unpluggable")) throw ApiError.of("VBD_NOT_UNPLUGGABLE", vbdRef);
        Domain dom = domains.running(b.string("VM"));
        Qmp qmp = dom.qmp;
        String id = deviceId(b);
        try {
            long mark = qmp.eventMark();
            qmp.execute("device_del", Map.of("id", id));
            try {
                qmp.awaitEvent(mark, "DEVICE_DELETED", e -> id.equals(e.dataText("device")), Duration.ofSeconds(force ? 5 : 30));
            } catch (TimeoutException e) {
                throw ApiError.of("DEVICE_DETACH_REJECTED", "VBD", vbdRef, "the guest did not release device " + id);
            }
            LiveBlockNodes.remove(qmp, nodePrefix(b), id);
        } catch (QmpException e) {
            throw ApiError.internal("VBD.unplug: " + e.getMessage());
        }
        setAttached(vbdRef, false);
    }

    void insert(String vbdRef, String vdiRef) {
        DbObject<?> b = db.require("VBD", vbdRef);
        db.require("VDI", vdiRef);
        requireCd(b);
        if (!b.bool("empty")) throw ApiError.of("VBD_NOT_EMPTY", vbdRef);
        Domain dom = attached(b);
        if (dom != null) {
            Qmp qmp = dom.qmp;
            Storage.Attachment a = storage.attachment(VDI.CLASS.ref(vdiRef));
            var disk = new QemuCommand.Disk(b.string("userdevice"), true, LaunchSpecs.image(a), true, b.bool("bootable"));
            try {
                LiveBlockNodes.add(dom, qmp, disk);
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
        DbObject<?> b = db.require("VBD", vbdRef);
        requireCd(b);
        if (b.bool("empty")) throw ApiError.of("VBD_IS_EMPTY", vbdRef);
        Domain dom = attached(b);
        if (dom != null) {
            Qmp qmp = dom.qmp;
            String id = deviceId(b);
            try {
                qmp.execute("blockdev-open-tray", Map.of("id", id, "force", true));
                qmp.execute("blockdev-remove-medium", Map.of("id", id));
                LiveBlockNodes.remove(qmp, nodePrefix(b), id);
                qmp.execute("blockdev-close-tray", Map.of("id", id));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.eject: " + e.getMessage());
            }
        }
        setMedium(vbdRef, ClassDef.NULL_REF);
    }

    /** The guest device of a VBD, as QemuCommand names it. */
    static String deviceId(DbObject<?> vbd) { return "vbd" + vbd.string("userdevice"); }

    /** What every block node of the VBD's disk is named with, as QemuCommand names them. */
    private static String nodePrefix(DbObject<?> vbd) { return deviceId(vbd) + "-"; }

    private static void requireCd(DbObject<?> b) {
        if (!"CD".equals(b.string("type"))) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", b.ref());
    }

    /** The VBD's QEMU if the VBD is plugged into one; else the medium changes in the records only. */
    private Domain attached(DbObject<?> b) { return b.bool("currently_attached") ? domains.get(b.string("VM")) : null; }

    private void setAttached(String vbdRef, boolean attached) {
        db.write(tx -> {
            tx.set("VBD", vbdRef, "currently_attached", attached);
            DbObject<?> b = db.get("VBD", vbdRef);
            if (attached && b != null) tx.set("VBD", vbdRef, "device", VbdRecords.linuxDevice(b.string("userdevice")));
        });
        deviceOps.update("VBD", vbdRef);
    }

    private void setMedium(String vbdRef, String vdiRef) {
        db.write(tx -> { tx.set("VBD", vbdRef, "VDI", vdiRef); tx.set("VBD", vbdRef, "empty", ClassDef.NULL_REF.equals(vdiRef)); });
        deviceOps.update("VBD", vbdRef);
    }
}

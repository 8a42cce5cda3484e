package org.flotilla.runtime.devices;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.launch.LaunchSpecs;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VbdRecords;

/** VBD.plug, unplug and unplug_force under a running QEMU, and VBD.insert / eject of a CD's medium. */
public final class VbdHotplug {
    private final Database db;
    private final Storage storage;
    private final Domains domains;
    private final LaunchSpecs specs;
    private final DeviceOperations deviceOps;

    public VbdHotplug(Database db, Storage storage, Domains domains, LaunchSpecs specs, DeviceOperations deviceOps) {
        this.db = db;
        this.storage = storage;
        this.domains = domains;
        this.specs = specs;
        this.deviceOps = deviceOps;
    }

    public void plug(Ref<VBD> ref) {
        DbObject<VBD> b = db.require(ref);
        Ref<VM> vm = b.get(VBD.VM);
        String userdevice = b.get(VBD.userdevice);
        if (b.get(VBD.currently_attached)) throw ApiError.of("DEVICE_ALREADY_ATTACHED", ref.value());
        Domain dom = domains.running(vm);
        Qmp qmp = dom.qmp;
        for (DbObject<VBD> o : db.referring(VBD.VM, vm)) {
            if (o.get(VBD.currently_attached) && o.get(VBD.userdevice).equals(userdevice)) throw ApiError.of("DEVICE_ALREADY_EXISTS", userdevice);
        }
        QemuCommand.Disk disk = specs.disk(b);
        if (!disk.cd() && QemuCommand.slot(disk) >= QemuCommand.DISK_PORTS) throw ApiError.of("INVALID_DEVICE", userdevice);
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
        setAttached(ref, true);
    }

    public void unplug(Ref<VBD> ref, boolean force) {
        DbObject<VBD> b = db.require(ref);
        if (!b.get(VBD.currently_attached)) throw ApiError.of("DEVICE_ALREADY_DETACHED", ref.value());
        if (!force && !b.get(VBD.unpluggable)) throw ApiError.of("VBD_NOT_UNPLUGGABLE", ref.value());
        Domain dom = domains.running(b.get(VBD.VM));
        Qmp qmp = dom.qmp;
        String id = deviceId(b);
        try {
            long mark = qmp.eventMark();
            qmp.execute("device_del", Map.of("id", id));
            try {
                qmp.awaitEvent(mark, "DEVICE_DELETED", e -> id.equals(e.dataText("device")), Duration.ofSeconds(force ? 5 : 30));
            } catch (TimeoutException e) {
                throw ApiError.of("DEVICE_DETACH_REJECTED", VBD.CLASS.name(), ref.value(), "the guest did not release device " + id);
            }
            LiveBlockNodes.remove(qmp, nodePrefix(b), id);
        } catch (QmpException e) {
            throw ApiError.internal("VBD.unplug: " + e.getMessage());
        }
        setAttached(ref, false);
    }

    public void insert(Ref<VBD> ref, Ref<VDI> vdi) {
        DbObject<VBD> b = db.require(ref);
        db.require(vdi);
        requireCd(b);
        if (!b.get(VBD.empty)) throw ApiError.of("VBD_NOT_EMPTY", ref.value());
        Domain dom = attached(b);
        if (dom != null) {
            Qmp qmp = dom.qmp;
            Storage.Attachment a = storage.attachment(vdi);
            var disk = new QemuCommand.Disk(b.get(VBD.userdevice), true, LaunchSpecs.image(a), true, b.get(VBD.bootable));
            try {
                LiveBlockNodes.add(dom, qmp, disk);
                qmp.execute("blockdev-open-tray", Map.of("id", disk.deviceId(), "force", true));
                qmp.execute("blockdev-insert-medium", Map.of("id", disk.deviceId(), "node-name", disk.nodeName()));
                qmp.execute("blockdev-close-tray", Map.of("id", disk.deviceId()));
            } catch (QmpException e) {
                throw ApiError.internal("VBD.insert: " + e.getMessage());
            }
        }
        setMedium(ref, vdi);
    }

    public void eject(Ref<VBD> ref) {
        DbObject<VBD> b = db.require(ref);
        requireCd(b);
        if (b.get(VBD.empty)) throw ApiError.of("VBD_IS_EMPTY", ref.value());
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
        setMedium(ref, VDI.CLASS.nullRef());
    }

    /** The guest device of a VBD, as QemuCommand names it. */
    static String deviceId(DbObject<VBD> vbd) { return "vbd" + vbd.get(VBD.userdevice); }

    /** What every block node of the VBD's disk is named with, as QemuCommand names them. */
    private static String nodePrefix(DbObject<VBD> vbd) { return deviceId(vbd) + "-"; }

    private static void requireCd(DbObject<VBD> b) {
        if (b.get(VBD.type) != VbdType.CD) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", b.ref());
    }

    /** The VBD's QEMU if the VBD is plugged into one; else the medium changes in the records only. */
    private Domain attached(DbObject<VBD> b) { return b.get(VBD.currently_attached) ? domains.get(b.get(VBD.VM)) : null; }

    private void setAttached(Ref<VBD> ref, boolean attached) {
        db.write(tx -> {
            tx.set(ref, VBD.currently_attached, attached);
            DbObject<VBD> b = db.get(ref);
            if (attached && b != null) tx.set(ref, VBD.device, VbdRecords.linuxDevice(b.get(VBD.userdevice)));
        });
        deviceOps.updateVbd(ref);
    }

    private void setMedium(Ref<VBD> ref, Ref<VDI> vdi) {
        db.write(tx -> {
            tx.set(ref, VBD.VDI, vdi);
            tx.set(ref, VBD.empty, vdi.isNull());
        });
        deviceOps.updateVbd(ref);
    }
}

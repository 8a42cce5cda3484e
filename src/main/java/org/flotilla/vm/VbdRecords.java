package org.flotilla.vm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VBD_metrics;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdOperations;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * VBD records (XAPI's xapi_vbd.ml, xapi_vbd_helpers.ml): VBD.create from a partial record, VBD.destroy,
 * VBD.set_mode. Plugging and unplugging belong to the VM runtime.
 */
public final class VbdRecords {
    /** VDI types a VM may use as a disk (xapi_vbd.ml). */
    private static final Set<VdiType> ATTACHABLE = EnumSet.of(VdiType.system, VdiType.user, VdiType.ephemeral, VdiType.suspend,
            VdiType.crashdump, VdiType.metadata, VdiType.rrd, VdiType.pvs_cache);
    /** VBD other_config key: the kind of backend the VDI's SR asks for (sm_config of the VDI). */
    private static final String BACKEND_KIND = "backend-kind";
    private static final String AUTODETECT = "autodetect";

    private final Database db;
    private final VmRecords vms;

    public VbdRecords(Database db, VmRecords vms) {
        this.db = db;
        this.vms = vms;
    }

    /**
     * VBD.create. A partial record gets type Disk, mode RW (RO for a CD) and userdevice "autodetect";
     * the device is chosen and checked against the VM's other VBDs in the same transaction that stores it.
     */
    public Ref<VBD> create(Rec<VBD> given) {
        Rec<VBD> f = Records.constructed(db, given);
        VbdType type = given.has(VBD.type) ? given.get(VBD.type) : VbdType.Disk;
        VbdMode mode = given.has(VBD.mode) ? given.get(VBD.mode) : type == VbdType.CD ? VbdMode.RO : VbdMode.RW;
        String userdevice = given.has(VBD.userdevice) && !given.get(VBD.userdevice).isEmpty() ? given.get(VBD.userdevice) : AUTODETECT;
        boolean empty = Boolean.TRUE.equals(given.get(VBD.empty));
        Ref<VM> vmRef = f.get(VBD.VM);
        Ref<VDI> vdiRef = f.get(VBD.VDI);
        DbObject<VM> vm = db.require(vmRef);
        if (!empty) {
            DbObject<VDI> vdi = db.require(vdiRef);
            if (!ATTACHABLE.contains(vdi.get(VDI.type))) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", vdiRef.value(), vdi.get(VDI.type).wire());
        } else if (!vdiRef.isNull()) {
            db.require(vdiRef);
        }
        if (type == VbdType.CD && mode != VbdMode.RO) throw ApiError.of("VBD_CDS_MUST_BE_READONLY");
        if (type != VbdType.CD && empty) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", "in constructor");
        DbObject<VDI> vdi = vdiRef.isNull() ? null : db.get(vdiRef);
        if (mode == VbdMode.RW && vdi != null && vdi.get(VDI.read_only)) throw ApiError.of("VDI_READONLY", vdiRef.value());
        for (var op : vm.get(VM.current_operations).entrySet()) {
            if (op.getValue() == VmOperations.migrate_send || op.getValue() == VmOperations.pool_migrate) {
                throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), vmRef.value(), op.getValue().wire(), op.getKey());
            }
        }
        if (!DeviceNumbers.valid(userdevice, type)) throw ApiError.of("INVALID_DEVICE", userdevice);
        boolean suspended = vm.get(VM.power_state) == VmPowerState.Suspended;
        Ref<VBD> ref = Refs.newRef(VBD.CLASS);
        Ref<VBD_metrics> metrics = Refs.newRef(VBD_metrics.CLASS);
        f.set(VBD.uuid, Refs.newUuid())
         .set(VBD.type, type)
         .set(VBD.mode, mode)
         .set(VBD.empty, empty)
         .set(VBD.metrics, metrics)
         .set(VBD.device, suspended ? f.get(VBD.device) : "")
         .set(VBD.currently_attached, suspended && f.get(VBD.currently_attached))
         .set(VBD.allowed_operations, allowedOperations(vm.get(VM.power_state), empty, type, false))
         .set(VBD.current_operations, Map.of());
        String backend = vdi == null ? null : vdi.get(VDI.sm_config).get(BACKEND_KIND);
        if (backend != null) {
            var oc = new LinkedHashMap<>(f.get(VBD.other_config));
            oc.put(BACKEND_KIND, backend);
            f.set(VBD.other_config, Collections.unmodifiableMap(oc));
        }
        return db.writeReturning(tx -> {
            // Chosen and checked under the database's write lock: two creates cannot take one device.
            Set<String> used = vms.usedSlots(vmRef);
            String dev = userdevice;
            if (dev.equals(AUTODETECT)) {
                dev = firstFree(type, used);
                if (dev == null) throw ApiError.of("INVALID_DEVICE", userdevice);
            } else {
                for (String slot : DeviceNumbers.slots(dev)) if (used.contains(slot)) throw ApiError.of("DEVICE_ALREADY_EXISTS", dev);
            }
            f.set(VBD.userdevice, dev);
            tx.put(metrics, newMetrics());
            tx.put(ref, f);
            return ref;
        });
    }

    private static Rec<VBD_metrics> newMetrics() { return Rec.empty(VBD_metrics.CLASS).set(VBD_metrics.uuid, Refs.newUuid()); }

    private static String firstFree(VbdType type, Set<String> used) {
        if (type == VbdType.Floppy) {
            for (int n = 0; n <= 1; n++) {
                var d = new DeviceNumbers.Dev(DeviceNumbers.Bus.FLOPPY, n, 0);
                if (!used.contains(d.slot())) return DeviceNumbers.linuxName(d);
            }
            return null;
        }
        for (int n = 0; n <= DeviceNumbers.MAX_DISK; n++) {
            if (!used.contains(DeviceNumbers.ofDiskNumber(true, n).slot())) return Integer.toString(n);
        }
        return null;
    }

    /** What a VBD allows while its VM is {@code power} (xapi_vbd_helpers.valid_operations, in short). */
    public static List<VbdOperations> allowedOperations(VmPowerState power, boolean empty, VbdType type, boolean attached) {
        var out = new ArrayList<VbdOperations>();
        if (type == VbdType.CD) out.add(empty ? VbdOperations.insert : VbdOperations.eject);
        if (power == VmPowerState.Running) out.addAll(attached ? List.of(VbdOperations.unplug, VbdOperations.unplug_force) : List.of(VbdOperations.plug));
        if (!attached) out.add(VbdOperations.attach);
        return List.copyOf(out);
    }

    /** VBD.destroy: records only; refused while attached (xapi_vbd_helpers.destroy). */
    public void destroy(Ref<VBD> ref) {
        db.write(tx -> {
            DbObject<VBD> b = db.require(ref);
            if (b.get(VBD.currently_attached)) {
                DbObject<VM> vm = db.get(b.get(VBD.VM));
                throw ApiError.of("OPERATION_NOT_ALLOWED",
                        "VBD '" + b.get(VBD.uuid) + "' still attached to '" + (vm == null ? "" : vm.get(VM.uuid)) + "'");
            }
            Ref<VBD_metrics> m = b.get(VBD.metrics);
            if (!m.isNull() && db.exists(m)) tx.delete(m);
            tx.delete(ref);
        });
    }

    /** VBD.set_mode: the VM must be halted; CDs stay read-only, read-only VDIs cannot be written. */
    public void setMode(Ref<VBD> ref, VbdMode mode) {
        db.write(tx -> {
            DbObject<VBD> b = db.require(ref);
            DbObject<VM> vm = db.require(b.get(VBD.VM));
            if (vm.get(VM.power_state) != VmPowerState.Halted) {
                throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "halted", VmLifecycle.lower(vm.get(VM.power_state)));
            }
            if (b.get(VBD.type) == VbdType.CD && mode == VbdMode.RW) throw ApiError.of("VBD_CDS_MUST_BE_READONLY");
            DbObject<VDI> vdi = db.get(b.get(VBD.VDI));
            if (mode == VbdMode.RW && vdi != null && vdi.get(VDI.read_only)) throw ApiError.of("VDI_READONLY", vdi.ref());
            tx.set(ref, VBD.mode, mode);
        });
    }

    /**
     * A copy of a VBD for {@code vm} on {@code vdi} (XAPI: Xapi_vbd_helpers.copy), staged in {@code tx}; detached, unless
     * {@code suspended}: a suspended VM's devices keep the marks its saved state needs at resume.
     */
    static Ref<VBD> copy(Database.Tx tx, DbObject<VBD> vbd, Ref<VM> vm, Ref<VDI> vdi, boolean suspended) {
        Ref<VBD> ref = Refs.newRef(VBD.CLASS);
        Ref<VBD_metrics> metrics = Refs.newRef(VBD_metrics.CLASS);
        Rec<VBD> f = Records.copy(vbd, VBD.CLASS)
                .set(VBD.uuid, Refs.newUuid())
                .set(VBD.VM, vm)
                .set(VBD.VDI, vdi)
                .set(VBD.empty, vbd.get(VBD.empty) || vdi.isNull())
                .set(VBD.currently_attached, suspended && vbd.get(VBD.currently_attached))
                .set(VBD.device, "")
                .set(VBD.storage_lock, false)
                .set(VBD.metrics, metrics)
                .set(VBD.current_operations, Map.of())
                .set(VBD.status_code, 0L)
                .set(VBD.status_detail, "")
                .set(VBD.runtime_properties, Map.of())
                .set(VBD.qos_supported_algorithms, List.of());
        tx.put(metrics, newMetrics());
        tx.put(ref, f);
        return ref;
    }

    /**
     * The name a plugged VBD's {@code device} field shows, as XAPI's Linux naming gives it: {@code xvd} and the
     * disk number in letters (0 → xvda, 3 → xvdd, 26 → xvdaa); a userdevice that is no number is kept as it is.
     */
    public static String linuxDevice(String userdevice) {
        if (userdevice == null || userdevice.isEmpty() || !userdevice.chars().allMatch(Character::isDigit) || userdevice.length() > 3) {
            return userdevice;
        }
        return DeviceNumbers.linuxName(new DeviceNumbers.Dev(DeviceNumbers.Bus.XEN, Integer.parseInt(userdevice), 0));
    }
}

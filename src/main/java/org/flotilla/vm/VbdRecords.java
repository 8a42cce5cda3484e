package org.flotilla.vm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;

/**
 * VBD records (XAPI's xapi_vbd.ml, xapi_vbd_helpers.ml): VBD.create from a partial record, VBD.destroy,
 * VBD.set_mode. Plugging and unplugging belong to the VM runtime.
 */
public final class VbdRecords {
    /** VDI types a VM may use as a disk (xapi_vbd.ml). */
    private static final Set<String> ATTACHABLE = Set.of("system", "user", "ephemeral", "suspend", "crashdump", "metadata", "rrd", "pvs_cache");

    private final Database db;
    private final VmRecords vms;

    public VbdRecords(Database db, VmRecords vms) {
        this.db = db;
        this.vms = vms;
    }

    public void register(Handlers h) {
        h.on("VBD", "create", c -> create(c.map("args")))
         .on("VBD", "destroy", c -> { destroy(c.ref("self")); return null; })
         .on("VBD", "set_mode", c -> { setMode(c.ref("self"), c.string("value")); return null; });
    }

    /**
     * VBD.create. A partial record gets type Disk, mode RW (RO for a CD) and userdevice "autodetect";
     * the device is chosen and checked against the VM's other VBDs in the same transaction that stores it.
     */
    public String create(Map<String, Object> given) {
        ClassDef c = db.model().classDef("VBD");
        var f = new LinkedHashMap<String, Object>();
        for (FieldDef field : c.fields().values()) if (!field.derived()) f.put(field.name(), field.defaultValue());
        given.forEach((k, v) -> { if (c.field(k).qualifier().inConstructor()) f.put(k, v); });
        String type = given.containsKey("type") ? (String) given.get("type") : "Disk";
        String mode = given.containsKey("mode") ? (String) given.get("mode") : type.equals("CD") ? "RO" : "RW";
        String userdevice = given.containsKey("userdevice") && !((String) given.get("userdevice")).isEmpty()
                ? (String) given.get("userdevice") : "autodetect";
        boolean empty = Boolean.TRUE.equals(given.get("empty"));
        String vmRef = (String) f.get("VM");
        String vdiRef = (String) f.get("VDI");
        DbObject<?> vm = db.require("VM", vmRef);
        if (!empty) {
            DbObject<?> vdi = db.require("VDI", vdiRef);
            if (!ATTACHABLE.contains(vdi.string("type"))) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", vdiRef, vdi.string("type"));
        } else if (!Refs.isNull(vdiRef)) {
            db.require("VDI", vdiRef);
        }
        if (type.equals("CD") && !mode.equals("RO")) throw ApiError.of("VBD_CDS_MUST_BE_READONLY");
        if (!type.equals("CD") && empty) throw ApiError.of("VBD_NOT_REMOVABLE_MEDIA", "in constructor");
        if (mode.equals("RW") && !Refs.isNull(vdiRef) && db.get("VDI", vdiRef) != null && db.get("VDI", vdiRef).bool("read_only")) {
            throw ApiError.of("VDI_READONLY", vdiRef);
        }
        for (var op : vm.<String, String>map("current_operations").entrySet()) {
            if (op.getValue().equals("migrate_send") || op.getValue().equals("pool_migrate")) {
                throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", "VM", vmRef, op.getValue(), op.getKey());
            }
        }
        if (!DeviceNumbers.valid(userdevice, type)) throw ApiError.of("INVALID_DEVICE", userdevice);
        boolean suspended = vm.string("power_state").equals("Suspended");
        String ref = Refs.newRef();
        String metrics = Refs.newRef();
        f.put("uuid", Refs.newUuid());
        f.put("type", type);
        f.put("mode", mode);
        f.put("empty", empty);
        f.put("metrics", metrics);
        f.put("device", suspended ? f.get("device") : "");
        f.put("currently_attached", suspended && (Boolean) f.get("currently_attached"));
        f.put("allowed_operations", allowedOperations(vm, empty, type, false));
        f.put("current_operations", Map.of());
        if (!Refs.isNull(vdiRef) && db.get("VDI", vdiRef) != null) {
            String backend = db.get("VDI", vdiRef).<String, String>map("sm_config").get("backend-kind");
            if (backend != null) {
                var oc = new LinkedHashMap<>(VmRecords.map(f.get("other_config")));
                oc.put("backend-kind", backend);
                f.put("other_config", java.util.Collections.unmodifiableMap(oc));
            }
        }
        return db.writeReturning(tx -> {
            // Chosen and checked under the database's write lock: two creates cannot take one device.
            Set<String> used = vms.usedSlots(vmRef);
            String dev = userdevice;
            if (dev.equals("autodetect")) {
                dev = firstFree(type, used);
                if (dev == null) throw ApiError.of("INVALID_DEVICE", userdevice);
            } else {
                for (String slot : DeviceNumbers.slots(dev)) if (used.contains(slot)) throw ApiError.of("DEVICE_ALREADY_EXISTS", dev);
            }
            f.put("userdevice", dev);
            tx.put("VBD_metrics", metrics, Map.of("uuid", Refs.newUuid()));
            tx.put("VBD", ref, f);
            return ref;
        });
    }

    private static String firstFree(String type, Set<String> used) {
        if (type.equals("Floppy")) {
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

    /** What a VBD allows while its VM is in its power state (xapi_vbd_helpers.valid_operations, in short). */
    public static List<String> allowedOperations(DbObject<?> vm, boolean empty, String type, boolean attached) {
        var out = new java.util.ArrayList<String>();
        boolean running = vm.string("power_state").equals("Running");
        if (type.equals("CD")) out.add(empty ? "insert" : "eject");
        if (running) out.addAll(attached ? List.of("unplug", "unplug_force") : List.of("plug"));
        if (!attached) out.add("attach");
        return List.copyOf(out);
    }

    /** VBD.destroy: records only; refused while attached (xapi_vbd_helpers.destroy). */
    public void destroy(String vbdRef) {
        db.write(tx -> {
            DbObject<?> b = db.require("VBD", vbdRef);
            if (b.bool("currently_attached")) {
                DbObject<?> vm = db.get("VM", b.string("VM"));
                throw ApiError.of("OPERATION_NOT_ALLOWED",
                        "VBD '" + b.uuid() + "' still attached to '" + (vm == null ? "" : vm.uuid()) + "'");
            }
            String m = b.string("metrics");
            if (!Refs.isNull(m) && db.get("VBD_metrics", m) != null) tx.delete("VBD_metrics", m);
            tx.delete("VBD", vbdRef);
        });
    }

    /** VBD.set_mode: the VM must be halted; CDs stay read-only, read-only VDIs cannot be written. */
    public void setMode(String vbdRef, String mode) {
        db.write(tx -> {
            DbObject<?> b = db.require("VBD", vbdRef);
            DbObject<?> vm = db.require("VM", b.string("VM"));
            if (!vm.string("power_state").equals("Halted")) {
                throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "halted", VmLifecycle.lower(vm.string("power_state")));
            }
            if (b.string("type").equals("CD") && mode.equals("RW")) throw ApiError.of("VBD_CDS_MUST_BE_READONLY");
            DbObject<?> vdi = db.get("VDI", b.string("VDI"));
            if (mode.equals("RW") && vdi != null && vdi.bool("read_only")) throw ApiError.of("VDI_READONLY", vdi.ref());
            tx.set("VBD", vbdRef, "mode", mode);
        });
    }

    /** A copy of a VBD for {@code vm} on {@code vdi} (XAPI: Xapi_vbd_helpers.copy), staged in {@code tx}; detached. */
    static String copy(Database.Tx tx, DbObject<?> vbd, String vmRef, String vdiRef) {
        String ref = Refs.newRef();
        String metrics = Refs.newRef();
        var f = new LinkedHashMap<String, Object>(vbd.fields());
        f.put("uuid", Refs.newUuid());
        f.put("VM", vmRef);
        f.put("VDI", vdiRef);
        f.put("empty", vbd.bool("empty") || Refs.isNull(vdiRef));
        f.put("currently_attached", false);
        f.put("device", "");
        f.put("storage_lock", false);
        f.put("metrics", metrics);
        f.put("current_operations", Map.of());
        f.put("status_code", 0L);
        f.put("status_detail", "");
        f.put("runtime_properties", Map.of());
        f.put("qos_supported_algorithms", List.of());
        tx.put("VBD_metrics", metrics, Map.of("uuid", Refs.newUuid()));
        tx.put("VBD", ref, f);
        return ref;
    }

    static String nullRef() { return ClassDef.NULL_REF; }

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

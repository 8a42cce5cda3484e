package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Member;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VdiOperations;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmPowerState;

/** VDI records as the storage writes and reads them: new leaves, images found by a scan, the chain key, who has a VDI open. */
final class VdiRecords {
    private final Database db;

    VdiRecords(Database db) { this.db = db; }

    /** The VBDs through which a VM has the VDI open now (XAPI: currently_attached), a suspended VM's included. */
    List<DbObject<VBD>> activeVbds(Ref<VDI> vdi) {
        return db.referring(VBD.VDI, vdi).stream().filter(b -> b.get(VBD.currently_attached)).toList();
    }

    /**
     * Those of {@link #activeVbds} whose VM has a QEMU holding the disk, which an online change goes through: not a
     * suspended VM's, whose marks stay for its resume while nothing holds its disks.
     */
    List<DbObject<VBD>> liveVbds(Ref<VDI> vdi) {
        return activeVbds(vdi).stream().filter(b -> !suspended(b.get(VBD.VM))).toList();
    }

    private boolean suspended(Ref<VM> vm) {
        DbObject<VM> v = db.get(vm);
        return v != null && v.get(VM.power_state) == VmPowerState.Suspended;
    }

    /** VDI_IN_USE: a VM has the VDI open, and {@code op} cannot be done under it. */
    static ApiError inUse(Ref<VDI> vdi, VdiOperations op) { return ApiError.of("VDI_IN_USE", vdi.value(), op.wire()); }

    /** The VDI, unless it is a hidden base copy (VDI_NOT_MANAGED), which no message may change. */
    DbObject<VDI> managed(Ref<VDI> vdi) {
        DbObject<VDI> v = db.require(vdi);
        if (!v.get(VDI.managed)) throw ApiError.of("VDI_NOT_MANAGED", vdi.value());
        return v;
    }

    /** A new record with the given fields of {@code from}. */
    Rec<VDI> copyOf(DbObject<VDI> from, List<Field<VDI, ?>> fields) {
        Rec<VDI> n = db.newRecord(VDI.CLASS);
        for (Field<VDI, ?> f : fields) copy(from, n, f);
        return n;
    }

    private static <T> void copy(DbObject<VDI> from, Rec<VDI> to, Field<VDI, T> f) { to.set(f, from.get(f)); }

    /** A new record with the fields of {@code given} that a constructor takes (XAPI ignores the rest), VDI.type user unless given. */
    Rec<VDI> constructorPart(Rec<VDI> given) {
        Rec<VDI> n = db.newRecord(VDI.CLASS).set(VDI.type, VdiType.user); // the datamodel's zero would be system
        for (Member<VDI> m : VDI.CLASS.members()) {
            if (m instanceof Field<VDI, ?> f && f.qualifier().inConstructor() && given.has(f)) copy(given, n, f);
        }
        return n;
    }

    private static <T> void copy(Rec<VDI> from, Rec<VDI> to, Field<VDI, T> f) { to.set(f, from.get(f)); }

    /** Adds the fields every new visible VDI has: its image {@code <uuid>.qcow2} on the SR, a writable leaf. */
    static Rec<VDI> withLeafFields(Rec<VDI> fields, String uuid, Ref<SR> sr, SrDriver d, long virtualSize, long physicalUtilisation,
                                   Map<String, String> smConfig) {
        return fields.set(VDI.uuid, uuid)
                .set(VDI.SR, sr)
                .set(VDI.virtual_size, virtualSize)
                .set(VDI.physical_utilisation, physicalUtilisation)
                .set(VDI.location, uuid)
                .set(VDI.managed, true)
                .set(VDI.sm_config, smConfig)
                .set(VDI.allowed_operations, d.vdiOperations());
    }

    /** Writes the record of a VDI whose image was just made; if it cannot be written the image goes again. Returns its ref. */
    Ref<VDI> insertFor(SrStore dir, String image, Rec<VDI> fields) {
        Ref<VDI> ref = Refs.newRef(VDI.CLASS);
        try {
            db.write(tx -> tx.put(ref, fields));
        } catch (RuntimeException e) {
            dir.deleteQuietly(image);
            throw e;
        }
        return ref;
    }

    /** The record of an image a scan or VDI.introduce found; {@code base} for a hidden, read-only base copy. */
    Rec<VDI> found(String location, Ref<SR> sr, SrDriver d, SrDriver.Found f, boolean base) {
        boolean iso = !d.managesDisks();
        return db.newRecord(VDI.CLASS)
                .set(VDI.uuid, iso || !isUuid(location) || db.refByUuid(VDI.CLASS, location).isPresent() ? Refs.newUuid() : location)
                .set(VDI.name_label, iso ? location : base ? "base copy" : "")
                .set(VDI.name_description, "")
                .set(VDI.SR, sr)
                .set(VDI.virtual_size, f.virtualSize())
                .set(VDI.physical_utilisation, f.physicalUtilisation())
                .set(VDI.type, VdiType.user)
                .set(VDI.sharable, false)
                .set(VDI.read_only, iso || base)
                .set(VDI.location, location)
                .set(VDI.managed, !base)
                .set(VDI.sm_config, iso ? Map.of() : withParent(Map.of(SmOwnedKeys.IMAGE_FORMAT, "qcow2"), f.parent()))
                .set(VDI.allowed_operations, base ? List.of() : d.vdiOperations());
    }

    private static boolean isUuid(String s) { return LocalFileSr.isImageName(s + LocalFileSr.SUFFIX); }

    /** sm_config with the chain key {@value Storage#PARENT_KEY} naming {@code parent} (none if null), as XAPI's VHD chains. */
    static Map<String, String> withParent(Map<String, String> smConfig, String parent) {
        var m = new LinkedHashMap<>(smConfig);
        if (parent == null) m.remove(Storage.PARENT_KEY);
        else m.put(Storage.PARENT_KEY, parent);
        m.putIfAbsent(SmOwnedKeys.IMAGE_FORMAT, "qcow2");
        return Collections.unmodifiableMap(m);
    }

    static String parentOf(DbObject<VDI> vdi) { return vdi.get(VDI.sm_config).get(Storage.PARENT_KEY); }
}

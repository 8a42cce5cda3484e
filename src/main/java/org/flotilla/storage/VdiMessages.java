package org.flotilla.storage;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;

/** VDI.create, destroy, resize, introduce, forget, update, copy and the VDI setters (snapshot and clone: {@link VdiChains}). */
final class VdiMessages {
    /** The fields a copy takes over from its VDI (read_only only from a VDI the copy could be written as). */
    private static final List<String> COPIED = List.of("name_label", "name_description", "type", "sharable", "other_config",
            "xenstore_data", "tags");

    private final Database db;
    private final QemuImg qemu;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final VdiRecords vdis;
    private final ManagedVdis managed;
    private final VdiRemoval removal;
    private final VdiLayers layers;
    private final Supplier<OnlineDisks> online;

    VdiMessages(Database db, QemuImg qemu, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, VdiRecords vdis,
                ManagedVdis managed, VdiRemoval removal, VdiLayers layers, Supplier<OnlineDisks> online) {
        this.db = db;
        this.qemu = qemu;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.vdis = vdis;
        this.managed = managed;
        this.removal = removal;
        this.layers = layers;
        this.online = online;
    }

    void register(Handlers h) {
        h.on("VDI", "create", c -> create(c.map("args")))
         .on("VDI", "destroy", c -> { destroy(c.ref("self")); return null; })
         .on("VDI", "resize", c -> { resize(c.ref("vdi"), c.integer("size")); return null; })
         .on("VDI", "resize_online", c -> { resize(c.ref("vdi"), c.integer("size")); return null; })
         .on("VDI", "introduce", this::introduce)
         .on("VDI", "forget", c -> { forget(c.ref("vdi")); return null; })
         .on("VDI", "update", c -> { update(c.ref("vdi")); return null; })
         .on("VDI", "copy", c -> copy(c.ref("vdi"), c.ref("sr"), c.ref("into_vdi"), c.task()))
         .on("VDI", "set_name_label", c -> FieldSetter.set(db, "VDI", c.ref("self"), "name_label", c.string("value")))
         .on("VDI", "set_name_description", c -> FieldSetter.set(db, "VDI", c.ref("self"), "name_description", c.string("value")));
    }

    /** VDI.create from a (partial) record. */
    String create(Map<String, Object> given) {
        String srRef = (String) given.getOrDefault("SR", ClassDef.NULL_REF);
        DbObject<?> sr = db.require("SR", srRef);
        SrDriver d = drivers.managing(sr);
        long size = (Long) given.getOrDefault("virtual_size", 0L);
        if (size < 0) throw ApiError.of("VALUE_NOT_SUPPORTED", "virtual_size", Long.toString(size), "must not be negative");
        return locks.locked(srRef, () -> {
            Path dir = dirs.attached(srRef);
            SrSpace.assertRoom(dir, size, 0);
            String uuid = Refs.newUuid();
            Path image = ImageFiles.make(dir, uuid, tmp -> qemu.create(tmp, size, null));
            SrDriver.Found made = ImageFiles.describe(image);
            var fields = new LinkedHashMap<String, Object>();
            var def = db.model().classDef("VDI");
            given.forEach((k, v) -> { if (def.field(k).qualifier().inConstructor()) fields.put(k, v); });
            fields.putIfAbsent("type", "user"); // the datamodel's zero would be "system"
            @SuppressWarnings("unchecked")
            var sm = SmOwnedKeys.clientPart("VDI", (Map<String, String>) given.getOrDefault("sm_config", Map.of()));
            VdiRecords.withLeafFields(fields, uuid, srRef, d, made.virtualSize(), made.physicalUtilisation(), VdiRecords.withParent(sm, null));
            String ref = vdis.insertFor(image, fields);
            space.refresh(srRef, dir);
            return ref;
        });
    }

    /** VDI.destroy; a VDI other images are built on stays behind as a hidden base copy. */
    void destroy(String vdiRef) {
        managed.change(vdiRef, open -> {
            DbObject<?> v = open.vdi();
            String srRef = open.srRef();
            SrDriver d = open.driver();
            Path dir = open.dir();
            if (!vdis.activeVbds(vdiRef).isEmpty()) throw ApiError.of("VDI_IN_USE", vdiRef, "destroy");
            String location = v.string("location");
            boolean hasChildren = !db.where("VDI", o -> srRef.equals(o.get("SR")) && location.equals(VdiRecords.parentOf(o))).isEmpty()
                    || BackingNames.in(dir).contains(location);
            if (hasChildren) {
                // Other images are built on this one (made outside our snapshot scheme): it lives on as a hidden base copy.
                db.write(tx -> {
                    for (DbObject<?> b : db.where("VBD", b -> vdiRef.equals(b.get("VDI")))) tx.delete("VBD", b.ref());
                    tx.set("VDI", vdiRef, "managed", false);
                    tx.set("VDI", vdiRef, "read_only", true);
                    tx.set("VDI", vdiRef, "name_label", "base copy");
                    tx.set("VDI", vdiRef, "allowed_operations", List.of());
                });
            } else {
                removal.remove(d, dir, v, true);
            }
            removal.collectBases(srRef, d, dir);
            space.refresh(srRef, dir);
            return null;
        });
    }

    /** VDI.resize: grow only; offline with qemu-img, online through the VM agent (QMP block_resize). */
    private void resize(String vdiRef, long size) {
        managed.change(vdiRef, open -> {
            Path dir = open.dir();
            Path image = open.image();
            VdiLayers.Verified chain = open.chain();
            long current = chain.virtualSize();
            if (size < current) throw ApiError.of("VDI_TOO_SMALL", vdiRef, Long.toString(current));
            if (size == current) return null;
            SrSpace.assertRoom(dir, size, current);
            List<DbObject<?>> active = vdis.activeVbds(vdiRef);
            if (active.isEmpty()) {
                qemu.resize(chain.attachment(), size);
            } else {
                for (DbObject<?> vbd : active) online.get().resize(vdiRef, vbd.ref(), image, size);
            }
            SrDriver.Found now = ImageFiles.describe(image);
            db.write(tx -> {
                tx.set("VDI", vdiRef, "virtual_size", now.virtualSize());
                tx.set("VDI", vdiRef, "physical_utilisation", now.physicalUtilisation());
            });
            space.refresh(open.srRef(), dir);
            return null;
        });
    }

    private Object introduce(Call c) {
        String srRef = c.ref("SR");
        DbObject<?> sr = db.require("SR", srRef);
        SrDriver d = drivers.of(sr);
        String location = c.string("location");
        return locks.locked(srRef, () -> {
            Path dir = dirs.attached(srRef);
            if (!db.where("VDI", v -> srRef.equals(v.get("SR")) && location.equals(v.get("location"))).isEmpty()) {
                throw ApiError.of("LOCATION_NOT_UNIQUE", srRef, location);
            }
            Map<String, SrDriver.Found> found = d.scan(dir);
            SrDriver.Found f = found.get(location);
            if (f == null) throw ApiError.of("VDI_LOCATION_MISSING", srRef, location);
            String refusal = ScanVerdict.of(found, db.where("VDI", v -> srRef.equals(v.get("SR")))).refusals().get(location);
            if (refusal != null) throw SmFailure.VDI_UNAVAILABLE.error(Quoted.of(d.fileName(location)) + " cannot be introduced: " + refusal);
            String uuid = c.string("uuid").isEmpty() ? Refs.newUuid() : c.string("uuid");
            if (db.refByUuid("VDI", uuid).isPresent()) throw ApiError.of("DB_UNIQUENESS_CONSTRAINT_VIOLATION", "VDI", "uuid", uuid);
            var rec = vdis.found(location, srRef, d, f, false);
            rec.put("uuid", uuid);
            rec.put("name_label", c.string("name_label"));
            rec.put("name_description", c.string("name_description"));
            rec.put("type", c.string("type"));
            rec.put("sharable", c.bool("sharable"));
            rec.put("read_only", c.bool("read_only") || !d.managesDisks());
            rec.put("other_config", c.map("other_config"));
            rec.put("xenstore_data", c.map("xenstore_data"));
            Map<String, String> sm = SmOwnedKeys.clientPart("VDI", c.map("sm_config"));
            rec.put("sm_config", d.managesDisks() ? VdiRecords.withParent(sm, f.parent()) : sm);
            rec.put("managed", c.bool("managed"));
            rec.put("is_a_snapshot", c.bool("is_a_snapshot"));
            rec.put("snapshot_time", c.arg("snapshot_time"));
            rec.put("snapshot_of", c.ref("snapshot_of"));
            String ref = Refs.newRef();
            db.write(tx -> tx.put("VDI", ref, rec));
            return ref;
        });
    }

    private void forget(String vdiRef) {
        db.write(tx -> {
            db.require("VDI", vdiRef);
            if (!vdis.activeVbds(vdiRef).isEmpty()) throw ApiError.of("VDI_IN_USE", vdiRef, "forget");
            tx.delete("VDI", vdiRef);
        });
    }

    private void update(String vdiRef) {
        DbObject<?> v = db.require("VDI", vdiRef);
        SrDriver d = drivers.of(db.require("SR", v.string("SR")));
        SrDriver.Found f = d.scan(dirs.attached(v.string("SR"))).get(v.string("location"));
        if (f == null) throw ApiError.of("VDI_MISSING", v.string("SR"), vdiRef);
        if (f.problem() != null) throw SmFailure.VDI_UNAVAILABLE.error("VDI " + v.uuid() + ": " + f.problem());
        db.write(tx -> {
            tx.set("VDI", vdiRef, "virtual_size", f.virtualSize());
            tx.set("VDI", vdiRef, "physical_utilisation", f.physicalUtilisation());
        });
    }

    /** VDI.copy: every block into a new VDI on {@code srArg} (or into the existing {@code into}), with progress on {@code task}. */
    String copy(String vdiRef, String srArg, String into, TaskContext task) {
        DbObject<?> v = db.require("VDI", vdiRef);
        SrDriver srcDriver = drivers.of(db.require("SR", v.string("SR")));
        if (vdis.activeVbds(vdiRef).stream().anyMatch(b -> "RW".equals(b.get("mode")))) throw ApiError.of("VDI_IN_USE", vdiRef, "copy");
        long srcSize = v.integer("virtual_size");
        task.progress(0.0);
        if (!Refs.isNull(into)) return copyInto(vdiRef, srcDriver, srcSize, into);
        String dstSr = srArg;
        if (Refs.isNull(dstSr)) throw ApiError.handleInvalid("SR", ClassDef.NULL_REF);
        DbObject<?> sr = db.require("SR", dstSr);
        SrDriver d = drivers.managing(sr);
        return locks.locked(dstSr, () -> {
            Path dir = dirs.attached(dstSr);
            SrSpace.assertRoom(dir, srcSize, 0);
            task.checkCancelled();
            Storage.Attachment src = layers.of(vdiRef).attachment();
            String uuid = Refs.newUuid();
            Path image = ImageFiles.make(dir, uuid, tmp -> copyBlocks(src, srcDriver, dir, chain -> qemu.convert(chain, tmp)));
            SrDriver.Found made = ImageFiles.describe(image);
            var n = VdiRecords.copyOf(v, COPIED);
            n.put("read_only", v.bool("read_only") && srcDriver.managesDisks());
            VdiRecords.withLeafFields(n, uuid, dstSr, d, made.virtualSize(), made.physicalUtilisation(), VdiRecords.withParent(Map.of(), null));
            String ref = vdis.insertFor(image, n);
            space.refresh(dstSr, dir);
            return ref;
        });
    }

    /** VDI.copy into an existing VDI at least as large, which no VM has open. */
    private String copyInto(String vdiRef, SrDriver srcDriver, long srcSize, String into) {
        DbObject<?> dst = db.require("VDI", into);
        String dstSr = dst.string("SR");
        return locks.locked(dstSr, () -> {
            drivers.managing(db.require("SR", dstSr));
            if (dst.bool("read_only")) throw ApiError.of("VDI_READONLY", into);
            if (dst.integer("virtual_size") < srcSize) throw ApiError.of("VDI_TOO_SMALL", into, Long.toString(srcSize));
            if (!vdis.activeVbds(into).isEmpty()) throw ApiError.of("VDI_IN_USE", into, "copy");
            Path dir = dirs.attached(dstSr);
            Storage.Attachment src = layers.of(vdiRef).attachment();
            Storage.Attachment target = layers.of(into).attachment();
            copyBlocks(src, srcDriver, dir, chain -> qemu.convertInto(chain, target));
            update(into);
            space.refresh(dstSr, dir);
            return into;
        });
    }

    /** Gives {@code copy} the source chain; an ISO's through a private copy in {@code dir} (ImageFiles.withPrivateCopy). */
    private static void copyBlocks(Storage.Attachment src, SrDriver srcDriver, Path dir, Consumer<Storage.Attachment> copy) {
        if (srcDriver.managesDisks()) copy.accept(src);
        else ImageFiles.withPrivateCopy(src, dir, copy);
    }
}

package org.flotilla.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.api.Refs;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VdiOperations;

/** VDI.create, destroy, resize, introduce, forget, update, copy and the VDI setters (snapshot and clone: {@link VdiChains}). */
public final class Vdis {
    private static final System.Logger LOG = System.getLogger(Vdis.class.getName());
    /** The fields a copy takes over from its VDI (read_only only from a VDI the copy could be written as). */
    private static final List<Field<VDI, ?>> COPIED = List.of(VDI.name_label, VDI.name_description, VDI.type, VDI.sharable,
            VDI.other_config, VDI.xenstore_data, VDI.tags);

    private final Database db;
    private final QemuImg qemu;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final VdiRecords records;
    private final ManagedVdis managed;
    private final VdiRemoval removal;
    private final VdiLayers layers;
    private final Supplier<OnlineDisks> online;
    private final SrMaster master;
    private final Consumer<Ref<SR>> destroyed;

    Vdis(Database db, QemuImg qemu, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, VdiRecords records,
         ManagedVdis managed, VdiRemoval removal, VdiLayers layers, Supplier<OnlineDisks> online, SrMaster master,
         Consumer<Ref<SR>> destroyed) {
        this.db = db;
        this.qemu = qemu;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.records = records;
        this.managed = managed;
        this.removal = removal;
        this.layers = layers;
        this.online = online;
        this.master = master;
        this.destroyed = destroyed;
    }

    /** VDI.create from a (partial) record: the fields a constructor takes, an empty image of its virtual_size. */
    public Ref<VDI> create(Rec<VDI> given) {
        Ref<SR> sr = Objects.requireNonNullElse(given.get(VDI.SR), SR.CLASS.nullRef());
        SrDriver d = drivers.managing(db.require(sr));
        long size = Objects.requireNonNullElse(given.get(VDI.virtual_size), 0L);
        if (size < 0) throw ApiError.of("VALUE_NOT_SUPPORTED", VDI.virtual_size.name(), Long.toString(size), "must not be negative");
        master.require(d);
        return locks.locked(sr, () -> {
            SrStore dir = dirs.attached(sr);
            SrSpace.assertRoom(dir, size, 0);
            String uuid = Refs.newUuid();
            String image = dir instanceof IscsiLun lun ? ExtentImages.make(lun, uuid, size, qemu::zero)
                    : ImageFiles.make(dir, uuid, tmp -> qemu.create(dir, tmp, size, null));
            SrDriver.Found made = describe(d, dir, image);
            var sm = SmOwnedKeys.OF_VDI.clientPart(Objects.requireNonNullElse(given.get(VDI.sm_config), Map.of()));
            Rec<VDI> fields = VdiRecords.withLeafFields(records.constructorPart(given), uuid, sr, d, made.virtualSize(),
                    made.physicalUtilisation(), VdiRecords.withParent(sm, null));
            Ref<VDI> ref = records.insertFor(dir, image, fields);
            space.refresh(sr, dir);
            return ref;
        });
    }

    /** VDI.destroy; a VDI other images are built on stays behind as a hidden base copy. */
    public void destroy(Ref<VDI> vdi) { destroy(vdi, false); }

    /**
     * VDI.destroy of a VDI its VM left behind, running on a copy of it elsewhere: as {@link #destroy}, but its image's
     * blocks are freed in the background (unlinking a large image takes a while), and then the SR's space is read
     * again, so that the migration need not wait for them.
     */
    public void destroyLeftBehind(Ref<VDI> vdi) { destroy(vdi, true); }

    private void destroy(Ref<VDI> vdi, boolean freeInBackground) {
        managed.change(vdi, open -> {
            DbObject<VDI> v = open.vdi();
            Ref<SR> sr = open.sr();
            SrDriver d = open.driver();
            SrStore dir = open.dir();
            if (!records.activeVbds(vdi).isEmpty()) throw VdiRecords.inUse(vdi, VdiOperations.destroy);
            String location = v.get(VDI.location);
            boolean hasChildren = db.referring(VDI.SR, sr).stream().anyMatch(o -> location.equals(VdiRecords.parentOf(o)))
                    || BackingNames.in(dir).contains(location);
            if (hasChildren) {
                // Other images are built on this one (made outside our snapshot scheme): it lives on as a hidden base copy.
                db.write(tx -> {
                    for (DbObject<VBD> b : db.referring(VBD.VDI, vdi)) tx.delete(b.self(VBD.CLASS));
                    tx.set(vdi, VDI.managed, false);
                    tx.set(vdi, VDI.read_only, true);
                    tx.set(vdi, VDI.name_label, "base copy");
                    tx.set(vdi, VDI.allowed_operations, List.of());
                });
            } else if (freeInBackground) {
                String doomed = removal.detach(d, dir, v, true);
                Thread.ofVirtual().name("free-" + v.get(VDI.uuid)).start(() -> {
                    dir.deleteQuietly(doomed);
                    try {
                        locks.locked(sr, () -> space.refresh(sr, dir));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "reading the space of SR " + sr.value() + " again: " + e.getMessage());
                    }
                });
            } else {
                removal.remove(d, dir, v, true);
            }
            removal.collectBases(sr, d, dir);
            // freed in the background: the SR's space is read again there, once the blocks are free, and not twice
            if (!freeInBackground || hasChildren) space.refresh(sr, dir);
            // what the VDI was built on may now have a single child left: the collector merges them
            destroyed.accept(sr);
            return null;
        });
    }

    /** VDI.resize and VDI.resize_online: grow only; offline with qemu-img, online through the VM agent (QMP block_resize). */
    public void resize(Ref<VDI> vdi, long size) {
        managed.change(vdi, open -> {
            open.requireImages();
            ChangedBlocks.requireData(open.vdi());
            SrStore dir = open.dir();
            String image = open.image();
            VdiLayers.Verified chain = open.chain();
            long current = chain.virtualSize();
            if (size < current) throw ApiError.of("VDI_TOO_SMALL", vdi.value(), Long.toString(current));
            if (size == current) return null;
            SrSpace.assertRoom(dir, size, current);
            List<DbObject<VBD>> active = records.activeVbds(vdi);
            if (active.isEmpty()) {
                qemu.resize(chain.attachment(), size);
            } else {
                for (DbObject<VBD> vbd : active) online.get().resize(vdi, vbd.self(VBD.CLASS), size);
            }
            SrDriver.Found now = ImageFiles.describe(dir, image);
            db.write(tx -> {
                tx.set(vdi, VDI.virtual_size, now.virtualSize());
                tx.set(vdi, VDI.physical_utilisation, now.physicalUtilisation());
            });
            space.refresh(open.sr(), dir);
            return null;
        });
    }

    /**
     * VDI.introduce: a record for an image the SR holds and has none for. {@code given} is what the client says of it
     * (its SR and location, names, type, flags, maps, and snapshot fields); sizes and chain are read from the image.
     */
    public Ref<VDI> introduce(Rec<VDI> given) {
        Ref<SR> sr = given.get(VDI.SR);
        String location = given.get(VDI.location);
        SrDriver d = drivers.of(db.require(sr));
        return locks.locked(sr, () -> {
            SrStore dir = dirs.attached(sr);
            if (db.referring(VDI.SR, sr).stream().anyMatch(v -> location.equals(v.get(VDI.location)))) {
                throw ApiError.of("LOCATION_NOT_UNIQUE", sr.value(), location);
            }
            Map<String, SrDriver.Found> found = d.scan(dir);
            SrDriver.Found f = found.get(location);
            if (f == null) throw ApiError.of("VDI_LOCATION_MISSING", sr.value(), location);
            String refusal = ScanVerdict.of(found, db.referring(VDI.SR, sr)).refusals().get(location);
            if (refusal != null) throw SmFailure.VDI_UNAVAILABLE.error(Quoted.of(d.fileName(location)) + " cannot be introduced: " + refusal);
            String uuid = given.get(VDI.uuid).isEmpty() ? Refs.newUuid() : given.get(VDI.uuid);
            if (db.refByUuid(VDI.CLASS, uuid).isPresent()) {
                throw ApiError.of("DB_UNIQUENESS_CONSTRAINT_VIOLATION", VDI.CLASS.name(), VDI.uuid.name(), uuid);
            }
            Map<String, String> sm = SmOwnedKeys.OF_VDI.clientPart(given.get(VDI.sm_config));
            Rec<VDI> rec = records.found(location, sr, d, f, false)
                    .set(VDI.uuid, uuid)
                    .set(VDI.name_label, given.get(VDI.name_label))
                    .set(VDI.name_description, given.get(VDI.name_description))
                    .set(VDI.type, given.get(VDI.type))
                    .set(VDI.sharable, given.get(VDI.sharable))
                    .set(VDI.read_only, given.get(VDI.read_only) || !d.managesDisks())
                    .set(VDI.other_config, given.get(VDI.other_config))
                    .set(VDI.xenstore_data, given.get(VDI.xenstore_data))
                    .set(VDI.sm_config, d.managesDisks() ? VdiRecords.withParent(sm, f.parent()) : sm)
                    .set(VDI.managed, given.get(VDI.managed))
                    .set(VDI.is_a_snapshot, given.get(VDI.is_a_snapshot))
                    .set(VDI.snapshot_time, given.get(VDI.snapshot_time))
                    .set(VDI.snapshot_of, given.get(VDI.snapshot_of));
            Ref<VDI> ref = Refs.newRef(VDI.CLASS);
            db.write(tx -> tx.put(ref, rec));
            return ref;
        });
    }

    /** VDI.forget: the record only; refused while a VM has the disk open. */
    public void forget(Ref<VDI> vdi) {
        db.write(tx -> {
            db.require(vdi);
            if (!records.activeVbds(vdi).isEmpty()) throw VdiRecords.inUse(vdi, VdiOperations.forget);
            tx.delete(vdi);
        });
    }

    /** VDI.update: the disk's sizes read again from its image. */
    public void update(Ref<VDI> vdi) {
        DbObject<VDI> v = db.require(vdi);
        Ref<SR> sr = v.get(VDI.SR);
        SrDriver d = drivers.of(db.require(sr));
        SrDriver.Found f = d.scan(dirs.attached(sr)).get(v.get(VDI.location));
        if (f == null) throw ApiError.of("VDI_MISSING", sr.value(), vdi.value());
        if (f.problem() != null) throw SmFailure.VDI_UNAVAILABLE.error("VDI " + v.get(VDI.uuid) + ": " + f.problem());
        db.write(tx -> {
            tx.set(vdi, VDI.virtual_size, f.virtualSize());
            tx.set(vdi, VDI.physical_utilisation, f.physicalUtilisation());
        });
    }

    public void setNameLabel(Ref<VDI> vdi, String value) { db.write(tx -> tx.set(vdi, VDI.name_label, value)); }

    public void setNameDescription(Ref<VDI> vdi, String value) { db.write(tx -> tx.set(vdi, VDI.name_description, value)); }

    /** VDI.copy: every block into a new VDI on {@code sr} (or into the existing {@code into}), with progress on {@code task}. */
    public Ref<VDI> copy(Ref<VDI> vdi, Ref<SR> sr, Ref<VDI> into, TaskContext task) {
        DbObject<VDI> v = db.require(vdi);
        ChangedBlocks.requireData(v);
        SrDriver srcDriver = drivers.of(db.require(v.get(VDI.SR)));
        if (records.activeVbds(vdi).stream().anyMatch(b -> b.get(VBD.mode) == VbdMode.RW)) throw VdiRecords.inUse(vdi, VdiOperations.copy);
        long srcSize = v.get(VDI.virtual_size);
        task.progress(0.0);
        if (!into.isNull()) return copyInto(vdi, srcDriver, srcSize, into);
        if (sr.isNull()) throw ApiError.handleInvalid(SR.CLASS.nullRef());
        SrDriver d = drivers.managing(db.require(sr));
        master.require(d);
        return locks.locked(sr, () -> {
            SrStore dir = dirs.attached(sr);
            SrSpace.assertRoom(dir, srcSize, 0);
            task.checkCancelled();
            Storage.Attachment src = layers.of(vdi).attachment();
            String uuid = Refs.newUuid();
            String image = dir instanceof IscsiLun lun
                    ? ExtentImages.make(lun, uuid, srcSize, target -> copyBlocks(src, srcDriver, dir, chain -> qemu.convertInto(chain, target)))
                    : ImageFiles.make(dir, uuid, tmp -> copyBlocks(src, srcDriver, dir, chain -> qemu.convert(chain, dir, tmp)));
            SrDriver.Found made = describe(d, dir, image);
            Rec<VDI> n = records.copyOf(v, COPIED).set(VDI.read_only, v.get(VDI.read_only) && srcDriver.managesDisks());
            VdiRecords.withLeafFields(n, uuid, sr, d, made.virtualSize(), made.physicalUtilisation(), VdiRecords.withParent(Map.of(), null));
            Ref<VDI> ref = records.insertFor(dir, image, n);
            space.refresh(sr, dir);
            return ref;
        });
    }

    /** A VDI's image just made: from its header, or an extent from the SR's table. */
    private static SrDriver.Found describe(SrDriver d, SrStore dir, String image) {
        if (!d.extents()) return ImageFiles.describe(dir, image);
        SrDriver.Found f = d.scan(dir).get(image);
        if (f == null) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", dir.describe(image) + " is gone");
        return f;
    }

    /** VDI.copy into an existing VDI at least as large, which no VM has open. */
    private Ref<VDI> copyInto(Ref<VDI> vdi, SrDriver srcDriver, long srcSize, Ref<VDI> into) {
        DbObject<VDI> dst = db.require(into);
        Ref<SR> dstSr = dst.get(VDI.SR);
        return locks.locked(dstSr, () -> {
            drivers.managing(db.require(dstSr));
            if (dst.get(VDI.read_only)) throw ApiError.of("VDI_READONLY", into.value());
            if (dst.get(VDI.virtual_size) < srcSize) throw ApiError.of("VDI_TOO_SMALL", into.value(), Long.toString(srcSize));
            if (!records.activeVbds(into).isEmpty()) throw VdiRecords.inUse(into, VdiOperations.copy);
            SrStore dir = dirs.attached(dstSr);
            Storage.Attachment src = layers.of(vdi).attachment();
            Storage.Attachment target = layers.of(into).attachment();
            copyBlocks(src, srcDriver, dir, chain -> qemu.convertInto(chain, target));
            update(into);
            space.refresh(dstSr, dir);
            return into;
        });
    }

    /**
     * Gives {@code copy} the source chain; an ISO's through a private copy (ImageFiles.withPrivateCopy) in the target
     * SR's directory, or, for an SR this host reaches only over NFS, in the daemon's temporary directory.
     */
    private static void copyBlocks(Storage.Attachment src, SrDriver srcDriver, SrStore dir, Consumer<Storage.Attachment> copy) {
        if (srcDriver.managesDisks()) copy.accept(src);
        else ImageFiles.withPrivateCopy(src, dir instanceof LocalDir l ? l.path() : Path.of(System.getProperty("java.io.tmpdir")), copy);
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VdiOperations;

/**
 * VDI.snapshot and VDI.clone as backing-file chains (see {@link Storage}): the image becomes a base copy B
 * (a hard link first, so that the VDI's own name never disappears), a new overlay on B is renamed over the
 * VDI's image, and the new VDI is a second overlay on B. A running VM is switched to its new overlay by the
 * VM agent first.
 */
public final class VdiChains {
    /** The fields a snapshot or clone takes over from its VDI. */
    private static final List<Field<VDI, ?>> INHERITED = List.of(VDI.name_label, VDI.name_description, VDI.type, VDI.sharable,
            VDI.read_only, VDI.other_config, VDI.xenstore_data, VDI.tags, VDI.on_boot, VDI.allow_caching);

    private final Database db;
    private final QemuImg qemu;
    private final ManagedVdis managed;
    private final VdiRecords records;
    private final SrSpace space;
    private final Supplier<OnlineDisks> online;

    VdiChains(Database db, QemuImg qemu, ManagedVdis managed, VdiRecords records, SrSpace space, Supplier<OnlineDisks> online) {
        this.db = db;
        this.qemu = qemu;
        this.managed = managed;
        this.records = records;
        this.space = space;
        this.online = online;
    }

    /** VDI.snapshot: a read-only copy-on-write snapshot of the VDI (is_a_snapshot, snapshot_of). */
    public Ref<VDI> snapshot(Ref<VDI> vdi) { return branch(vdi, true); }

    /** VDI.clone: a fast copy-on-write clone of the VDI. */
    public Ref<VDI> clone(Ref<VDI> vdi) { return branch(vdi, false); }

    private Ref<VDI> branch(Ref<VDI> vdi, boolean snapshot) {
        VdiOperations op = snapshot ? VdiOperations.snapshot : VdiOperations.clone;
        return managed.change(vdi, open -> {
            open.requireImages();
            DbObject<VDI> v = open.vdi();
            ChangedBlocks.requireData(v);
            Ref<SR> sr = open.sr();
            SrDriver d = open.driver();
            SrStore dir = open.dir();
            List<DbObject<VBD>> active = records.liveVbds(vdi);
            String image = open.image();
            long virtualSize = open.chain().virtualSize();
            long imageSize = dir.sizeOf(image);
            String baseUuid = Refs.newUuid();
            String newUuid = Refs.newUuid();
            String base = d.fileName(baseUuid);
            String liveTmp = SrDriver.temporary("overlay");
            String newTmp = SrDriver.temporary("new");
            boolean linked = false;
            try {
                qemu.create(dir, liveTmp, virtualSize, base);
                qemu.create(dir, newTmp, virtualSize, base);
                dir.link(image, base);
                linked = true;
                for (DbObject<VBD> vbd : active) online.get().switchToOverlay(vdi, vbd.self(VBD.CLASS), dir, liveTmp);
                dir.rename(liveTmp, image);
            } catch (IOException | RuntimeException e) {
                dir.deleteQuietly(liveTmp);
                dir.deleteQuietly(newTmp);
                if (linked) dir.deleteQuietly(base);
                if (e instanceof ApiError a) {
                    if (a.code().equals("VDI_IN_USE")) throw VdiRecords.inUse(vdi, op);
                    throw a;
                }
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op.wire() + " of " + dir.describe(image) + " failed: " + e);
            }
            // From here the VDI's data is safe in B and its image is the new overlay: finishing cannot lose data.
            String newImage = d.fileName(newUuid);
            try {
                dir.rename(newTmp, newImage);
            } catch (IOException e) {
                dir.deleteQuietly(newTmp);
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op.wire() + ": cannot make " + dir.describe(newImage) + ": " + e);
            }
            Map<String, String> oldSm = v.get(VDI.sm_config);
            Ref<VDI> newRef = Refs.newRef(VDI.CLASS);
            db.write(tx -> {
                Rec<VDI> b = records.found(baseUuid, sr, d, new SrDriver.Found(baseUuid, virtualSize, imageSize,
                        oldSm.get(Storage.PARENT_KEY), null), true).set(VDI.type, v.get(VDI.type));
                tx.put(Refs.newRef(VDI.CLASS), b);
                tx.set(vdi, VDI.sm_config, VdiRecords.withParent(oldSm, baseUuid));
                tx.set(vdi, VDI.physical_utilisation, dir.sizeOf(image));
                Rec<VDI> n = VdiRecords.withLeafFields(records.copyOf(v, INHERITED), newUuid, sr, d, virtualSize,
                        dir.sizeOf(newImage), VdiRecords.withParent(oldSm, baseUuid));
                // a snapshot carries the disk's tracking: the image just frozen holds the writes since the one before
                if (snapshot) n.set(VDI.is_a_snapshot, true).set(VDI.snapshot_of, vdi).set(VDI.snapshot_time, Instant.now())
                        .set(VDI.cbt_enabled, v.get(VDI.cbt_enabled));
                tx.put(newRef, n);
            });
            space.refresh(sr, dir);
            return newRef;
        });
    }
}

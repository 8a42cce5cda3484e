package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/**
 * VDI.snapshot and VDI.clone as backing-file chains (see {@link Storage}): the image becomes a base copy B
 * (a hard link first, so that the VDI's own name never disappears), a new overlay on B is renamed over the
 * VDI's image, and the new VDI is a second overlay on B. A running VM is switched to its new overlay by the
 * VM agent first.
 */
final class VdiChains {
    /** The fields a snapshot or clone takes over from its VDI. */
    private static final List<String> INHERITED = List.of("name_label", "name_description", "type", "sharable", "read_only",
            "other_config", "xenstore_data", "tags", "on_boot", "allow_caching");

    private final Database db;
    private final QemuImg qemu;
    private final ManagedVdis managed;
    private final VdiRecords vdis;
    private final SrSpace space;
    private final Supplier<OnlineDisks> online;

    VdiChains(Database db, QemuImg qemu, ManagedVdis managed, VdiRecords vdis, SrSpace space, Supplier<OnlineDisks> online) {
        this.db = db;
        this.qemu = qemu;
        this.managed = managed;
        this.vdis = vdis;
        this.space = space;
        this.online = online;
    }

    void register(Handlers h) {
        h.on("VDI", "snapshot", c -> snapshot(c.ref("vdi")))
         .on("VDI", "clone", c -> clone(c.ref("vdi")));
    }

    /** VDI.snapshot: a read-only copy-on-write snapshot of the VDI (is_a_snapshot, snapshot_of). */
    String snapshot(String vdiRef) { return branch(vdiRef, true); }

    /** VDI.clone: a fast copy-on-write clone of the VDI. */
    String clone(String vdiRef) { return branch(vdiRef, false); }

    private String branch(String vdiRef, boolean snapshot) {
        String op = snapshot ? "snapshot" : "clone";
        return managed.change(vdiRef, open -> {
            DbObject<?> v = open.vdi();
            String srRef = open.srRef();
            SrDriver d = open.driver();
            Path dir = open.dir();
            List<DbObject<?>> active = vdis.activeVbds(vdiRef);
            Path image = open.image();
            long virtualSize = open.chain().virtualSize();
            long imageSize = ImageFiles.sizeOf(image);
            String baseUuid = Refs.newUuid();
            String newUuid = Refs.newUuid();
            String baseName = d.fileName(baseUuid);
            Path base = dir.resolve(baseName);
            Path liveTmp = SrDriver.temporary(dir, "overlay");
            Path newTmp = SrDriver.temporary(dir, "new");
            boolean linked = false;
            try {
                qemu.create(liveTmp, virtualSize, baseName);
                qemu.create(newTmp, virtualSize, baseName);
                Files.createLink(base, image);
                linked = true;
                for (DbObject<?> vbd : active) online.get().switchToOverlay(vdiRef, vbd.ref(), liveTmp);
                Files.move(liveTmp, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                ImageFiles.deleteQuietly(liveTmp);
                ImageFiles.deleteQuietly(newTmp);
                if (linked) ImageFiles.deleteQuietly(base);
                if (e instanceof ApiError a) {
                    if (a.code().equals("VDI_IN_USE")) throw ApiError.of("VDI_IN_USE", vdiRef, op);
                    throw a;
                }
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op + " of " + image + " failed: " + e);
            }
            // From here the VDI's data is safe in B and its image is the new overlay: finishing cannot lose data.
            Path newImage = dir.resolve(d.fileName(newUuid));
            try {
                Files.move(newTmp, newImage, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                ImageFiles.deleteQuietly(newTmp);
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op + ": cannot make " + newImage + ": " + e);
            }
            Map<String, String> oldSm = v.map("sm_config");
            String newRef = Refs.newRef();
            db.write(tx -> {
                var b = vdis.found(baseUuid, srRef, d, new SrDriver.Found(baseUuid, virtualSize, imageSize,
                        oldSm.get(Storage.PARENT_KEY), null), true);
                b.put("type", v.get("type"));
                tx.put("VDI", Refs.newRef(), b);
                tx.set("VDI", vdiRef, "sm_config", VdiRecords.withParent(oldSm, baseUuid));
                tx.set("VDI", vdiRef, "physical_utilisation", ImageFiles.sizeOf(image));
                var n = VdiRecords.withLeafFields(VdiRecords.copyOf(v, INHERITED), newUuid, srRef, d, virtualSize,
                        ImageFiles.sizeOf(newImage), VdiRecords.withParent(oldSm, baseUuid));
                if (snapshot) {
                    n.put("is_a_snapshot", true);
                    n.put("snapshot_of", vdiRef);
                    n.put("snapshot_time", Instant.now());
                }
                tx.put("VDI", newRef, n);
            });
            space.refresh(srRef, dir);
            return newRef;
        });
    }
}

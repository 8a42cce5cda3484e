package org.flotilla.storage;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;

/** Removes VDIs with their images, crash-safely (see {@link Storage}), and the base copies no image is built on any longer. */
final class VdiRemoval {
    private final Database db;

    VdiRemoval(Database db) { this.db = db; }

    /** Rename the image away, delete the record (and, if {@code withVbds}, the VDI's VBDs), then unlink. */
    void remove(SrDriver d, SrStore dir, DbObject<VDI> v, boolean withVbds) { dir.deleteQuietly(detach(d, dir, v, withVbds)); }

    /**
     * Rename the image away and delete the record (and, if {@code withVbds}, the VDI's VBDs): the name the image now
     * has, a temporary one the SR's next attach sweeps up, for the caller to unlink.
     */
    String detach(SrDriver d, SrStore dir, DbObject<VDI> v, boolean withVbds) {
        Ref<VDI> vdi = v.self(VDI.CLASS);
        String doomed = renameAway(dir, d.fileName(v.get(VDI.location)));
        db.write(tx -> {
            if (withVbds) for (DbObject<VBD> b : db.referring(VBD.VDI, vdi)) tx.delete(b.self(VBD.CLASS));
            if (db.exists(vdi)) tx.delete(vdi);
        });
        return doomed;
    }

    /**
     * Renames {@code image}, if it is there, to a temporary name that the SR's next attach sweeps up (so a crash before
     * the unlink leaves nothing a scan would take for a disk), and returns that name for the caller to unlink.
     */
    static String renameAway(SrStore dir, String image) {
        String doomed = SrDriver.temporary("destroy");
        try {
            if (dir.entry(image).kind() != SrFiles.Entry.Kind.ABSENT) dir.rename(image, doomed);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot remove " + dir.describe(image) + ": " + e);
        }
        return doomed;
    }

    /** Removes the base copies that no VDI of the SR is built on any longer (by its record and by every image header), bottom up. */
    void collectBases(Ref<SR> sr, SrDriver d, SrStore dir) {
        while (true) {
            List<DbObject<VDI>> vdis = db.referring(VDI.SR, sr);
            var used = new HashSet<>(BackingNames.in(dir));
            for (DbObject<VDI> o : vdis) {
                String p = VdiRecords.parentOf(o);
                if (p != null) used.add(p);
            }
            DbObject<VDI> unused = vdis.stream().filter(o -> !o.get(VDI.managed) && !used.contains(o.get(VDI.location))).findFirst().orElse(null);
            if (unused == null) return;
            remove(d, dir, unused, true);
        }
    }
}

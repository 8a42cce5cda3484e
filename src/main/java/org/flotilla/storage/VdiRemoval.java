package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    void remove(SrDriver d, Path dir, DbObject<VDI> v, boolean withVbds) {
        Ref<VDI> vdi = v.self(VDI.CLASS);
        Path image = d.file(dir, v.get(VDI.location));
        Path doomed = SrDriver.temporary(dir, "destroy");
        try {
            if (Files.exists(image)) Files.move(image, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot remove " + image + ": " + e);
        }
        db.write(tx -> {
            if (withVbds) for (DbObject<VBD> b : db.referring(VBD.VDI, vdi)) tx.delete(b.self(VBD.CLASS));
            if (db.exists(vdi)) tx.delete(vdi);
        });
        ImageFiles.deleteQuietly(doomed);
    }

    /** Removes the base copies that no VDI of the SR is built on any longer (by its record and by every image header), bottom up. */
    void collectBases(Ref<SR> sr, SrDriver d, Path dir) {
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

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

/** Removes VDIs with their images, crash-safely (see {@link Storage}), and the base copies no image is built on any longer. */
final class VdiRemoval {
    private final Database db;

    VdiRemoval(Database db) { this.db = db; }

    /** Rename the image away, delete the record (and, if {@code withVbds}, the VDI's VBDs), then unlink. */
    void remove(SrDriver d, Path dir, DbObject<?> v, boolean withVbds) {
        Path image = d.file(dir, v.string("location"));
        Path doomed = SrDriver.temporary(dir, "destroy");
        try {
            if (Files.exists(image)) Files.move(image, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot remove " + image + ": " + e);
        }
        db.write(tx -> {
            if (withVbds) for (DbObject<?> b : db.where("VBD", b -> v.ref().equals(b.get("VDI")))) tx.delete("VBD", b.ref());
            if (db.get("VDI", v.ref()) != null) tx.delete("VDI", v.ref());
        });
        ImageFiles.deleteQuietly(doomed);
    }

    /** Removes the base copies that no VDI of the SR is built on any longer (by its record and by every image header), bottom up. */
    void collectBases(String srRef, SrDriver d, Path dir) {
        while (true) {
            List<DbObject<?>> vdis = db.where("VDI", o -> srRef.equals(o.get("SR")));
            var used = new HashSet<>(BackingNames.in(dir));
            for (DbObject<?> o : vdis) {
                String p = VdiRecords.parentOf(o);
                if (p != null) used.add(p);
            }
            DbObject<?> unused = vdis.stream().filter(o -> !o.bool("managed") && !used.contains(o.string("location"))).findFirst().orElse(null);
            if (unused == null) return;
            remove(d, dir, unused, true);
        }
    }
}

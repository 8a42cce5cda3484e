package org.flotilla.storage;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * SR.scan: records for images found without one, records forgotten whose image is gone, sizes and
 * chains refreshed, base copies no image uses removed, temporary leftovers removed.
 */
final class SrScan {
    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final VdiRecords vdis;
    private final VdiRemoval removal;

    SrScan(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, VdiRecords vdis, VdiRemoval removal) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.vdis = vdis;
        this.removal = removal;
    }

    void scan(String srRef) {
        locks.locked(srRef, () -> {
            DbObject sr = db.require("SR", srRef);
            SrDriver d = drivers.of(sr);
            Path dir = dirs.attached(srRef);
            if (d.managesDisks()) ImageFiles.removeTemporaries(dir);
            Map<String, SrDriver.Found> found = d.scan(dir);
            var parents = new HashSet<String>();
            for (SrDriver.Found f : found.values()) if (f.parent() != null) parents.add(f.parent());
            var known = new HashSet<String>();
            db.write(tx -> {
                for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) {
                    SrDriver.Found f = found.get(v.string("location"));
                    known.add(v.string("location"));
                    if (f == null) {
                        if (vdis.activeVbds(v.ref()).isEmpty()) tx.delete("VDI", v.ref());
                        else tx.set("VDI", v.ref(), "missing", true);
                        continue;
                    }
                    tx.set("VDI", v.ref(), "virtual_size", f.virtualSize());
                    tx.set("VDI", v.ref(), "physical_utilisation", f.physicalUtilisation());
                    tx.set("VDI", v.ref(), "missing", false);
                    if (d.managesDisks()) tx.set("VDI", v.ref(), "sm_config", VdiRecords.withParent(v.map("sm_config"), f.parent()));
                }
                for (SrDriver.Found f : found.values()) {
                    if (known.contains(f.location())) continue;
                    boolean base = parents.contains(f.location());
                    tx.put("VDI", Refs.newRef(), vdis.found(f.location(), srRef, d, f, base));
                }
            });
            if (d.managesDisks()) removal.collectBases(srRef, d, dir);
            space.refresh(srRef, dir);
        });
    }
}

package org.flotilla.storage;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * SR.scan: records for images found without one, records forgotten whose image is gone, sizes and
 * chains refreshed, base copies no image uses removed, temporary leftovers removed.
 */
final class SrScan {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

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

    /**
     * SR.scan: records what can be recorded, then fails naming every image it left alone (SR_BACKEND_FAILURE,
     * SM's SRScan): a refused image gets no record, and one that has a record keeps it unchanged.
     */
    void scan(String srRef) {
        Map<String, String> refused = scanRecording(srRef);
        if (refused.isEmpty()) return;
        SrDriver d = drivers.of(db.require("SR", srRef));
        var why = new StringBuilder("images left alone:");
        refused.forEach((location, reason) -> why.append(' ').append(Quoted.of(d.fileName(location))).append(": ").append(reason).append(';'));
        throw SmFailure.SR_SCAN.error(why.substring(0, why.length() - 1));
    }

    /**
     * The scan that SR.create and PBD.plug make on the way: the SR is made or attached with what can be recorded,
     * and the images left alone are only logged; SR.scan names them to the client.
     */
    void scanOnAttach(String srRef) {
        SrDriver d = drivers.of(db.require("SR", srRef));
        scanRecording(srRef).forEach((location, reason) ->
                LOG.log(System.Logger.Level.WARNING, "SR " + srRef + ": " + Quoted.of(d.fileName(location)) + " left alone: " + reason));
    }

    /** The images refused, by location, with the reason. */
    private Map<String, String> scanRecording(String srRef) {
        return locks.locked(srRef, () -> {
            DbObject<?> sr = db.require("SR", srRef);
            SrDriver d = drivers.of(sr);
            Path dir = dirs.attached(srRef);
            if (d.managesDisks()) ImageFiles.removeTemporaries(dir);
            Map<String, SrDriver.Found> found = d.scan(dir);
            List<DbObject<?>> records = db.where("VDI", v -> srRef.equals(v.get("SR")));
            ScanVerdict verdict = ScanVerdict.of(found, records);
            var parents = new HashSet<String>();
            for (SrDriver.Found f : found.values()) if (verdict.takes(f.location()) && f.parent() != null) parents.add(f.parent());
            var known = new HashSet<String>();
            db.write(tx -> {
                for (DbObject<?> v : records) {
                    SrDriver.Found f = found.get(v.string("location"));
                    known.add(v.string("location"));
                    if (f == null) {
                        if (vdis.activeVbds(v.ref()).isEmpty()) tx.delete("VDI", v.ref());
                        else tx.set("VDI", v.ref(), "missing", true);
                        continue;
                    }
                    if (!verdict.takes(f.location())) continue;
                    tx.set("VDI", v.ref(), "virtual_size", f.virtualSize());
                    tx.set("VDI", v.ref(), "physical_utilisation", f.physicalUtilisation());
                    tx.set("VDI", v.ref(), "missing", false);
                }
                for (SrDriver.Found f : found.values()) {
                    if (known.contains(f.location()) || !verdict.takes(f.location())) continue;
                    tx.put("VDI", Refs.newRef(), vdis.found(f.location(), srRef, d, f, parents.contains(f.location())));
                }
            });
            if (d.managesDisks()) removal.collectBases(srRef, d, dir);
            space.refresh(srRef, dir);
            return verdict.refusals();
        });
    }
}

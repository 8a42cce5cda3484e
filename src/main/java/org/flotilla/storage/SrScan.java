package org.flotilla.storage;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VdiType;

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
    private final VdiRecords records;
    private final VdiRemoval removal;
    private final SrMaster master;
    private final ChainMerges merges;
    private final Consumer<Ref<SR>> scanned;

    SrScan(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, VdiRecords records, VdiRemoval removal,
           SrMaster master, ChainMerges merges, Consumer<Ref<SR>> scanned) {
        this.db = db;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.records = records;
        this.removal = removal;
        this.master = master;
        this.merges = merges;
        this.scanned = scanned;
    }

    /**
     * SR.scan: records what can be recorded, then fails naming every image it left alone (SR_BACKEND_FAILURE,
     * SM's SRScan): a refused image gets no record, and one that has a record keeps it unchanged.
     */
    void scan(Ref<SR> sr) {
        Map<String, String> refused = scanRecording(sr);
        if (refused.isEmpty()) return;
        SrDriver d = drivers.of(db.require(sr));
        var why = new StringBuilder("images left alone:");
        refused.forEach((location, reason) -> why.append(' ').append(Quoted.of(d.fileName(location))).append(": ").append(reason).append(';'));
        throw SmFailure.SR_SCAN.error(why.substring(0, why.length() - 1));
    }

    /**
     * The scan that SR.create and PBD.plug make on the way: the SR is made or attached with what can be recorded,
     * and the images left alone are only logged; SR.scan names them to the client.
     */
    void scanOnAttach(Ref<SR> sr) {
        SrDriver d = drivers.of(db.require(sr));
        scanRecording(sr).forEach((location, reason) ->
                LOG.log(System.Logger.Level.WARNING, "SR " + sr.value() + ": " + Quoted.of(d.fileName(location)) + " left alone: " + reason));
    }

    /** The images refused, by location, with the reason. */
    private Map<String, String> scanRecording(Ref<SR> sr) {
        Map<String, String> refused = locks.locked(sr, () -> {
            SrDriver d = drivers.of(db.require(sr));
            SrStore dir = dirs.attached(sr);
            // a temporary extent elsewhere than on the coordinator may be one it is making now
            if (d.managesDisks() && master.isHere(d)) ImageFiles.removeTemporaries(dir);
            // a merge a killed daemon left half done: finished or rolled back before the images are read; on a shared
            // SR that is the collector's, which may be merging on the coordinator now (CoalesceClaim)
            if (d.managesDisks() && !d.extents() && !db.require(sr).get(SR.shared)) merges.recover(sr, d, dir);
            Map<String, SrDriver.Found> found = d.scan(dir);
            List<DbObject<VDI>> recorded = db.referring(VDI.SR, sr);
            ScanVerdict verdict = ScanVerdict.of(found, recorded);
            var parents = new HashSet<String>();
            for (SrDriver.Found f : found.values()) if (verdict.takes(f.location()) && f.parent() != null) parents.add(f.parent());
            var known = new HashSet<String>();
            db.write(tx -> {
                for (DbObject<VDI> v : recorded) {
                    Ref<VDI> vdi = v.self(VDI.CLASS);
                    SrDriver.Found f = found.get(v.get(VDI.location));
                    known.add(v.get(VDI.location));
                    if (f == null) {
                        if (v.get(VDI.type) == VdiType.cbt_metadata) continue; // its data was destroyed on purpose
                        if (v.get(VDI.sm_config).containsKey(ChainMerges.INTENT)) continue; // renamed over its child: the collector settles it
                        if (records.activeVbds(vdi).isEmpty()) tx.delete(vdi);
                        else tx.set(vdi, VDI.missing, true);
                        continue;
                    }
                    if (!verdict.takes(f.location())) continue;
                    tx.set(vdi, VDI.virtual_size, f.virtualSize());
                    tx.set(vdi, VDI.physical_utilisation, f.physicalUtilisation());
                    tx.set(vdi, VDI.missing, false);
                }
                for (SrDriver.Found f : found.values()) {
                    if (known.contains(f.location()) || !verdict.takes(f.location())) continue;
                    tx.put(Refs.newRef(VDI.CLASS), records.found(f.location(), sr, d, f, parents.contains(f.location())));
                }
            });
            if (d.managesDisks()) removal.collectBases(sr, d, dir);
            space.refresh(sr, dir);
            return verdict.refusals();
        });
        scanned.accept(sr);
        return refused;
    }
}

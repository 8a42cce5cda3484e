package org.flotilla.storage;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.VDI;

/**
 * Which of the images a scan found the SR uses. An image it has a record of must still say what the record says
 * (its backing file the record's parent); an image it has none of is taken only if its backing file, if any,
 * is an image of the SR it takes too: one with a record, or one taken in the same scan (so a chain dropped in
 * whole is taken bottom up). Anything else is refused, with the reason, and left alone.
 */
record ScanVerdict(Map<String, String> refusals) {
    /** @param records the VDI records of the SR */
    static ScanVerdict of(Map<String, SrDriver.Found> found, Collection<DbObject<VDI>> records) {
        var recordParent = new HashMap<String, String>();
        for (var v : records) recordParent.put(v.get(VDI.location), Objects.requireNonNullElse(VdiRecords.parentOf(v), ""));
        var refusals = new LinkedHashMap<String, String>();
        var pending = new LinkedHashMap<String, SrDriver.Found>();
        for (SrDriver.Found f : found.values()) {
            String recorded = recordParent.get(f.location());
            if (f.problem() != null) {
                refusals.put(f.location(), f.problem());
            } else if (recorded != null && !recorded.equals(Objects.requireNonNullElse(f.parent(), ""))) {
                refusals.put(f.location(), "its header names backing file " + (f.parent() == null ? "none" : f.parent() + LocalFileSr.SUFFIX)
                        + " where the SR's records have " + (recorded.isEmpty() ? "none" : recorded + LocalFileSr.SUFFIX));
            } else if (recorded == null && f.parent() != null) {
                pending.put(f.location(), f);
            }
        }
        // a new image is taken once what it is built on is
        boolean progress = true;
        while (progress) {
            progress = false;
            for (var it = pending.values().iterator(); it.hasNext(); ) {
                SrDriver.Found f = it.next();
                String p = f.parent();
                if (found.containsKey(p) && !refusals.containsKey(p) && !pending.containsKey(p)) {
                    it.remove();
                    progress = true;
                }
            }
        }
        for (SrDriver.Found f : pending.values()) {
            String p = f.parent();
            refusals.put(f.location(), "its backing file " + p + LocalFileSr.SUFFIX
                    + (found.containsKey(p) ? " is an image this SR does not take" : " is not an image of this SR"));
        }
        return new ScanVerdict(Collections.unmodifiableMap(refusals));
    }

    boolean takes(String location) { return !refusals.containsKey(location); }
}

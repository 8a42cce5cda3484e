package org.flotilla.storage;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/** VDI records as the storage writes and reads them: new leaves, images found by a scan, the chain key, who has a VDI open. */
final class VdiRecords {
    private final Database db;

    VdiRecords(Database db) { this.db = db; }

    /** The VBDs through which a VM has the VDI open now (XAPI: currently_attached). */
    List<DbObject<?>> activeVbds(String vdiRef) {
        return db.where("VBD", b -> vdiRef.equals(b.get("VDI")) && b.bool("currently_attached"));
    }

    /** The VDI, unless it is a hidden base copy (VDI_NOT_MANAGED), which no message may change. */
    DbObject<?> managed(String vdiRef) {
        DbObject<?> v = db.require("VDI", vdiRef);
        if (!v.bool("managed")) throw ApiError.of("VDI_NOT_MANAGED", vdiRef);
        return v;
    }

    /** Copies the named fields of {@code from} into a new record. */
    static Map<String, Object> copyOf(DbObject<?> from, List<String> fields) {
        var n = new LinkedHashMap<String, Object>();
        for (String f : fields) n.put(f, from.get(f));
        return n;
    }

    /** Adds the fields every new visible VDI has: its image {@code <uuid>.qcow2} on the SR, a writable leaf. */
    static Map<String, Object> withLeafFields(Map<String, Object> fields, String uuid, String srRef, SrDriver d, long virtualSize,
                                              long physicalUtilisation, Map<String, String> smConfig) {
        fields.put("uuid", uuid);
        fields.put("SR", srRef);
        fields.put("virtual_size", virtualSize);
        fields.put("physical_utilisation", physicalUtilisation);
        fields.put("location", uuid);
        fields.put("managed", true);
        fields.put("sm_config", smConfig);
        fields.put("allowed_operations", d.vdiOperations());
        return fields;
    }

    /** Writes the record of a VDI whose image was just made; if it cannot be written the image goes again. Returns its ref. */
    String insertFor(Path image, Map<String, Object> fields) {
        String ref = Refs.newRef();
        try {
            db.write(tx -> tx.put("VDI", ref, fields));
        } catch (RuntimeException e) {
            ImageFiles.deleteQuietly(image);
            throw e;
        }
        return ref;
    }

    /** The record of an image a scan or VDI.introduce found; {@code base} for a hidden, read-only base copy. */
    Map<String, Object> found(String location, String srRef, SrDriver d, SrDriver.Found f, boolean base) {
        var v = new LinkedHashMap<String, Object>();
        boolean iso = !d.managesDisks();
        v.put("uuid", iso || !isUuid(location) || db.refByUuid("VDI", location).isPresent() ? Refs.newUuid() : location);
        v.put("name_label", iso ? location : base ? "base copy" : "");
        v.put("name_description", "");
        v.put("SR", srRef);
        v.put("virtual_size", f.virtualSize());
        v.put("physical_utilisation", f.physicalUtilisation());
        v.put("type", "user");
        v.put("sharable", false);
        v.put("read_only", iso || base);
        v.put("location", location);
        v.put("managed", !base);
        v.put("sm_config", iso ? Map.of() : withParent(Map.of("image-format", "qcow2"), f.parent()));
        v.put("allowed_operations", base ? List.of() : d.vdiOperations());
        return v;
    }

    private static boolean isUuid(String s) { return LocalFileSr.isImageName(s + LocalFileSr.SUFFIX); }

    /** sm_config with the chain key {@value Storage#PARENT_KEY} naming {@code parent} (none if null), as XAPI's VHD chains. */
    static Map<String, String> withParent(Map<String, String> smConfig, String parent) {
        var m = new LinkedHashMap<>(smConfig);
        if (parent == null) m.remove(Storage.PARENT_KEY);
        else m.put(Storage.PARENT_KEY, parent);
        m.putIfAbsent("image-format", "qcow2");
        return Collections.unmodifiableMap(m);
    }

    static String parentOf(DbObject<?> vdi) { return vdi.<String, String>map("sm_config").get(Storage.PARENT_KEY); }
}

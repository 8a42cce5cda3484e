package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;

/** SR.create, introduce, destroy, forget, update, scan and the SR setters: an SR's records and its directory. */
final class SrMessages {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private final Database db;
    private final Path srRoot;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final SrScan scan;
    private final PbdMessages pbds;

    /** @param srRoot where SRs made without a device_config:location get their directory */
    SrMessages(Database db, Path srRoot, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, SrScan scan,
               PbdMessages pbds) {
        this.db = db;
        this.srRoot = srRoot;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.scan = scan;
        this.pbds = pbds;
    }

    void register(Handlers h) {
        h.on("SR", "create", c -> create(c.ref("host"), c.map("device_config"), c.string("name_label"),
                        c.string("name_description"), c.string("type"), c.string("content_type"), c.bool("shared"), c.map("sm_config")))
         .on("SR", "introduce", this::introduce)
         .on("SR", "destroy", c -> { destroy(c.ref("sr")); return null; })
         .on("SR", "forget", c -> { forget(c.ref("sr")); return null; })
         .on("SR", "update", c -> { update(c.ref("sr")); return null; })
         .on("SR", "scan", c -> { scan.scan(c.ref("sr")); return null; })
         .on("SR", "get_supported_types", c -> drivers.types())
         .on("SR", "set_shared", c -> FieldSetter.set(db, "SR", c.ref("sr"), "shared", c.bool("value")))
         .on("SR", "set_name_label", c -> FieldSetter.set(db, "SR", c.ref("sr"), "name_label", c.string("value")))
         .on("SR", "set_name_description", c -> FieldSetter.set(db, "SR", c.ref("sr"), "name_description", c.string("value")));
    }

    String create(String host, Map<String, String> deviceConfig, String nameLabel, String nameDescription, String type,
                  String contentType, boolean shared, Map<String, String> smConfig) {
        SrDriver d = drivers.ofType(type);
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", type);
        String uuid = Refs.newUuid();
        String srRef = Refs.newRef();
        String pbdRef = Refs.newRef();
        var dc = new LinkedHashMap<>(deviceConfig);
        if (!dc.containsKey("location") && d instanceof LocalFileSr) dc.put("location", srRoot.resolve(uuid).toAbsolutePath().toString());
        Path dir = SrLocation.of(dc);
        // As XAPI: the records first (the driver may read them), removed again if the SR cannot be made.
        db.write(tx -> {
            tx.put("SR", srRef, record(uuid, nameLabel, nameDescription, d, contentType.isEmpty() ? d.defaultContentType() : contentType,
                    shared, SmOwnedKeys.clientPart("SR", smConfig)));
            tx.put("PBD", pbdRef, Map.of("uuid", Refs.newUuid(), "host", host, "SR", srRef,
                    "device_config", Collections.unmodifiableMap(dc), "currently_attached", false, "other_config", Map.of()));
        });
        boolean made = false;
        try {
            made = d.make(dir);
            if (made) rememberMadeDirectory(srRef, dir);
            if (dirs.isThisHost(host)) pbds.plug(pbdRef, true);
        } catch (RuntimeException e) {
            db.write(tx -> {
                for (DbObject<?> v : db.where("VDI", v -> srRef.equals(v.get("SR")))) tx.delete("VDI", v.ref());
                tx.delete("PBD", pbdRef);
                tx.delete("SR", srRef);
            });
            if (made) removeIfEmpty(dir);
            throw e;
        }
        return srRef;
    }

    private void rememberMadeDirectory(String srRef, Path dir) {
        db.write(tx -> {
            var sm = new LinkedHashMap<>(db.require("SR", srRef).<String, String>map("sm_config"));
            sm.put(SmOwnedKeys.MADE_DIRECTORY, dir.toString());
            tx.set("SR", srRef, "sm_config", Collections.unmodifiableMap(sm));
        });
    }

    private static Map<String, Object> record(String uuid, String nameLabel, String nameDescription, SrDriver d, String contentType,
                                              boolean shared, Map<String, String> smConfig) {
        var sr = new LinkedHashMap<String, Object>();
        sr.put("uuid", uuid);
        sr.put("name_label", nameLabel);
        sr.put("name_description", nameDescription);
        sr.put("type", d == null ? "" : d.type());
        sr.put("content_type", contentType);
        sr.put("shared", shared);
        sr.put("sm_config", smConfig);
        sr.put("physical_size", -1L);
        sr.put("physical_utilisation", -1L);
        sr.put("virtual_allocation", 0L);
        sr.put("allowed_operations", d == null ? List.of() : d.srOperations());
        return sr;
    }

    private Object introduce(Call c) {
        String uuid = c.string("uuid").isEmpty() ? Refs.newUuid() : c.string("uuid");
        String type = c.string("type").toLowerCase(java.util.Locale.ROOT);
        String ref = Refs.newRef();
        db.write(tx -> {
            if (db.refByUuid("SR", uuid).isPresent()) throw ApiError.of("SR_UUID_EXISTS", uuid);
            var rec = record(uuid, c.string("name_label"), c.string("name_description"), drivers.ofType(type), c.string("content_type"),
                    c.bool("shared"), SmOwnedKeys.clientPart("SR", c.map("sm_config")));
            rec.put("type", type);
            tx.put("SR", ref, rec);
        });
        return ref;
    }

    private void update(String srRef) {
        locks.locked(srRef, () -> space.refresh(srRef, dirs.attached(srRef)));
    }

    private void assertNoAttachedPbd(String srRef) {
        if (!db.where("PBD", p -> srRef.equals(p.get("SR")) && p.bool("currently_attached")).isEmpty()) {
            throw ApiError.of("SR_HAS_PBD", srRef);
        }
    }

    private void destroy(String srRef) {
        locks.locked(srRef, () -> {
            DbObject<?> sr = db.require("SR", srRef);
            SrDriver d = drivers.managing(sr);
            assertNoAttachedPbd(srRef);
            List<DbObject<?>> pbdsOfSr = db.where("PBD", p -> srRef.equals(p.get("SR")));
            if (pbdsOfSr.isEmpty()) throw ApiError.of("SR_HAS_NO_PBDS", srRef);
            if (!db.where("VDI", v -> srRef.equals(v.get("SR")) && v.bool("managed") && !"rrd".equals(v.get("type"))).isEmpty()) {
                throw ApiError.of("SR_NOT_EMPTY");
            }
            Path dir = SrDirectories.location(pbdsOfSr.stream().filter(p -> dirs.isThisHost(p.get("host"))).findFirst()
                    .orElse(pbdsOfSr.getFirst()));
            // Only the images this SR made (the hidden base copies left) and its leftovers: never a stranger's file.
            for (DbObject<?> v : db.where("VDI", v -> srRef.equals(v.get("SR")))) ImageFiles.deleteQuietly(d.file(dir, v.string("location")));
            ImageFiles.removeTemporaries(dir);
            forgetRecords(srRef);
            // and its directory only if SR.create made it: one that was there before is someone else's
            if (dir.toString().equals(sr.<String, String>map("sm_config").get(SmOwnedKeys.MADE_DIRECTORY))) removeIfEmpty(dir);
        });
    }

    private static void removeIfEmpty(Path dir) {
        try {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) Files.delete(dir);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "SR directory " + dir + " left behind: " + e);
        }
    }

    private void forget(String srRef) {
        locks.locked(srRef, () -> {
            db.require("SR", srRef);
            assertNoAttachedPbd(srRef);
            forgetRecords(srRef);
        });
    }

    /** XAPI's really_forget: the PBDs, the VDIs and the SR; and nothing left pointing at it as a default. */
    private void forgetRecords(String srRef) {
        db.write(tx -> {
            for (DbObject<?> p : db.where("PBD", p -> srRef.equals(p.get("SR")))) tx.delete("PBD", p.ref());
            for (DbObject<?> v : db.where("VDI", v -> srRef.equals(v.get("SR")))) tx.delete("VDI", v.ref());
            tx.delete("SR", srRef);
            for (DbObject<?> pool : db.all("pool")) {
                for (String f : DefaultSr.POOL_FIELDS) {
                    if (srRef.equals(pool.get(f))) tx.set("pool", pool.ref(), f, ClassDef.NULL_REF);
                }
            }
            for (DbObject<?> host : db.all("host")) {
                for (String f : DefaultSr.HOST_FIELDS) {
                    if (srRef.equals(host.get(f))) tx.set("host", host.ref(), f, ClassDef.NULL_REF);
                }
            }
        });
    }
}

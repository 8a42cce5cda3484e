package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;

/**
 * Local storage behind the XenAPI: SR, PBD, VDI and SM records and what they stand for on this host's
 * disks, through the {@link SrDriver}s.
 *
 * <p>Crash safety. Images are made under a temporary name ({@link SrDriver#temporary}) and renamed into
 * place before their record is written; they are removed by renaming them to a temporary name, then
 * deleting the record, then unlinking. So after a crash there is never a record whose image is missing
 * that SR.scan cannot repair: at worst an image without a record (adopted by the next scan) or a
 * temporary leftover (removed by the next scan).
 *
 * <p>Snapshots and clones (as XCP-ng's file SR does with VHD chains): the VDI's image becomes a hidden,
 * read-only "base copy" (a VDI record with managed=false), and both the original VDI and the new one get
 * a fresh empty overlay on it. Every visible VDI stays a leaf that can be written without touching any
 * other; a base copy is never written and is removed once no image uses it. sm_config:vhd-parent names
 * the parent's uuid as XAPI's chains do.
 */
public final class Storage {
    public static final String PARENT_KEY = "vhd-parent";
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private final Database db;
    private final String hostRef;
    private final Path srRoot;
    private final Map<String, SrDriver> drivers;
    private final QemuImg qemu;
    private final Map<String, ReentrantLock> srLocks = new ConcurrentHashMap<>();
    private volatile OnlineDisks online = OnlineDisks.NONE;

    /**
     * @param srRoot where SRs made without a device_config:location get their directory
     */
    public Storage(Database db, String hostRef, Path srRoot, QemuImg qemu) {
        this.db = db;
        this.hostRef = hostRef;
        this.srRoot = srRoot;
        this.qemu = qemu;
        var d = new LinkedHashMap<String, SrDriver>();
        d.put(LocalFileSr.TYPE, new LocalFileSr(qemu));
        d.put(IsoSr.TYPE, new IsoSr());
        this.drivers = Collections.unmodifiableMap(d);
    }

    /** The VM agent registers here to resize and snapshot disks that running VMs hold open. */
    public void setOnlineDisks(OnlineDisks o) { online = o == null ? OnlineDisks.NONE : o; }

    /** How QEMU opens a VDI: its image, the format, and whether it must be read-only. */
    public record Attachment(Path image, String format, boolean readOnly) {}

    /** For the VM agent: the image behind a VDI, on an SR attached to this host. */
    public Attachment attachment(String vdiRef) {
        DbObject vdi = db.require("VDI", vdiRef);
        DbObject sr = db.require("SR", vdi.string("SR"));
        SrDriver d = driver(sr);
        return new Attachment(d.file(attachedDir(sr.ref()), vdi.string("location")), d.format(),
                vdi.bool("read_only") || !d.managesDisks());
    }

    // ---- registration -----------------------------------------------------------------------------

    public void register(Handlers h) {
        h.on("SR", "create", c -> createSr(c.ref("host"), c.map("device_config"), c.string("name_label"),
                        c.string("name_description"), c.string("type"), c.string("content_type"), c.bool("shared"), c.map("sm_config")))
         .on("SR", "introduce", this::introduceSr)
         .on("SR", "destroy", c -> { destroySr(c.ref("sr")); return null; })
         .on("SR", "forget", c -> { forgetSr(c.ref("sr")); return null; })
         .on("SR", "update", c -> { locked(c.ref("sr"), () -> refreshSr(c.ref("sr"), attachedDir(c.ref("sr")))); return null; })
         .on("SR", "scan", c -> { scan(c.ref("sr")); return null; })
         .on("SR", "get_supported_types", c -> List.copyOf(drivers.keySet()))
         .on("SR", "set_shared", c -> set("SR", c.ref("sr"), "shared", c.bool("value")))
         .on("SR", "set_name_label", c -> set("SR", c.ref("sr"), "name_label", c.string("value")))
         .on("SR", "set_name_description", c -> set("SR", c.ref("sr"), "name_description", c.string("value")))
         .on("PBD", "create", this::createPbd)
         .on("PBD", "destroy", c -> { destroyPbd(c.ref("self")); return null; })
         .on("PBD", "plug", c -> { plug(c.ref("self"), true); return null; })
         .on("PBD", "unplug", c -> { unplug(c.ref("self")); return null; })
         .on("PBD", "set_device_config", c -> set("PBD", c.ref("self"), "device_config", c.map("value")))
         .on("VDI", "create", c -> createVdi(c.map("args")))
         .on("VDI", "destroy", c -> { destroyVdi(c.ref("self")); return null; })
         .on("VDI", "snapshot", c -> snapshotVdi(c.ref("vdi")))
         .on("VDI", "clone", c -> cloneVdi(c.ref("vdi")))
         .on("VDI", "resize", c -> { resize(c.ref("vdi"), c.integer("size")); return null; })
         .on("VDI", "resize_online", c -> { resize(c.ref("vdi"), c.integer("size")); return null; })
         .on("VDI", "introduce", this::introduceVdi)
         .on("VDI", "forget", c -> { forgetVdi(c.ref("vdi")); return null; })
         .on("VDI", "update", c -> { updateVdi(c.ref("vdi")); return null; })
         .on("VDI", "copy", c -> copyVdi(c.ref("vdi"), c.ref("sr"), c.ref("into_vdi"), c.task()))
         .on("VDI", "set_name_label", c -> set("VDI", c.ref("self"), "name_label", c.string("value")))
         .on("VDI", "set_name_description", c -> set("VDI", c.ref("self"), "name_description", c.string("value")));
    }

    private Object set(String cls, String ref, String field, Object value) {
        db.write(tx -> tx.set(cls, ref, field, value));
        return null;
    }

    // ---- first start ------------------------------------------------------------------------------

    /**
     * At every start: the SM records of the drivers, this host's PBDs attached again, and the local SR
     * in {@code dir} ("Local storage") made the first time, with the pool's and this host's default,
     * suspend-image and crash-dump SRs pointed at it where unset. Returns the local SR.
     */
    public String ensureDefaultSr(Path dir) {
        ensureSmRecords();
        String location = dir.toAbsolutePath().normalize().toString();
        String srRef = null;
        for (DbObject pbd : db.where("PBD", p -> hostRef.equals(p.get("host")))) {
            DbObject sr = db.get("SR", pbd.string("SR"));
            if (sr == null) continue;
            if (LocalFileSr.TYPE.equals(sr.string("type")) && location.equals(pbd.<String, String>map("device_config").get("location"))) {
                srRef = sr.ref();
            }
            try {
                plug(pbd.ref(), false);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot attach SR " + sr.uuid() + ": " + e.getMessage());
                if (pbd.bool("currently_attached")) db.write(tx -> tx.set("PBD", pbd.ref(), "currently_attached", false));
            }
        }
        if (srRef == null) {
            srRef = createSr(hostRef, Map.of("location", location), "Local storage", "", LocalFileSr.TYPE, "user", false, Map.of());
        }
        final String sr = srRef;
        db.write(tx -> {
            DbObject pool = db.all("pool").stream().findFirst().orElse(null);
            if (pool != null) {
                for (String f : List.of("default_SR", "suspend_image_SR", "crash_dump_SR")) {
                    if (db.get("SR", pool.string(f)) == null) tx.set("pool", pool.ref(), f, sr);
                }
            }
            DbObject host = db.get("host", hostRef);
            if (host != null) {
                for (String f : List.of("suspend_image_sr", "crash_dump_sr")) {
                    if (db.get("SR", host.string(f)) == null) tx.set("host", hostRef, f, sr);
                }
            }
        });
        return sr;
    }

    private void ensureSmRecords() {
        db.write(tx -> {
            for (SrDriver d : drivers.values()) {
                DbObject old = db.where("SM", s -> d.type().equals(s.get("type"))).stream().findFirst().orElse(null);
                var sm = new LinkedHashMap<String, Object>();
                sm.put("uuid", old == null ? Refs.newUuid() : old.uuid());
                sm.put("name_label", d.smName());
                sm.put("name_description", d.smDescription());
                sm.put("type", d.type());
                sm.put("vendor", "Flotilla");
                sm.put("copyright", "(C) Flotilla contributors");
                sm.put("version", "1.0");
                sm.put("required_api_version", "1.0");
                sm.put("configuration", d.smConfiguration());
                sm.put("capabilities", d.capabilities());
                var features = new LinkedHashMap<String, Long>();
                for (String cap : d.capabilities()) features.put(cap, 1L);
                sm.put("features", Collections.unmodifiableMap(features));
                sm.put("other_config", old == null ? Map.of() : old.get("other_config"));
                sm.put("driver_filename", d.getClass().getName());
                tx.put("SM", old == null ? Refs.newRef() : old.ref(), sm);
            }
        });
    }

    // ---- SR ---------------------------------------------------------------------------------------

    private SrDriver driver(DbObject sr) {
        SrDriver d = drivers.get(sr.string("type"));
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", sr.string("type"));
        return d;
    }

    private SrDriver managing(DbObject sr) {
        SrDriver d = driver(sr);
        if (!d.managesDisks()) throw ApiError.of("SR_OPERATION_NOT_SUPPORTED", sr.ref());
        return d;
    }

    private DbObject myPbd(String srRef) {
        return db.where("PBD", p -> srRef.equals(p.get("SR")) && hostRef.equals(p.get("host"))).stream().findFirst()
                .orElseThrow(() -> ApiError.of("SR_HAS_NO_PBDS", srRef));
    }

    /** The SR's directory, as this host's PBD has it; SR_HAS_NO_PBDS unless that PBD is plugged (as XAPI's Sm.assert_pbd_is_plugged). */
    private Path attachedDir(String srRef) {
        DbObject pbd = myPbd(srRef);
        if (!pbd.bool("currently_attached")) throw ApiError.of("SR_HAS_NO_PBDS", srRef);
        return location(pbd);
    }

    private static Path location(DbObject pbd) {
        String loc = pbd.<String, String>map("device_config").get("location");
        if (loc == null || loc.isEmpty()) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "device_config:location is missing");
        return Path.of(loc);
    }

    private <T> T locked(String srRef, Supplier<T> body) {
        ReentrantLock l = srLocks.computeIfAbsent(srRef, k -> new ReentrantLock());
        l.lock();
        try { return body.get(); } finally { l.unlock(); }
    }

    private void locked(String srRef, Runnable body) { locked(srRef, () -> { body.run(); return null; }); }

    String createSr(String host, Map<String, String> deviceConfig, String nameLabel, String nameDescription, String type,
                    String contentType, boolean shared, Map<String, String> smConfig) {
        SrDriver d = drivers.get(type.toLowerCase(java.util.Locale.ROOT));
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", type);
        String uuid = Refs.newUuid();
        String srRef = Refs.newRef();
        String pbdRef = Refs.newRef();
        var dc = new LinkedHashMap<>(deviceConfig);
        if (!dc.containsKey("location") && d instanceof LocalFileSr) dc.put("location", srRoot.resolve(uuid).toAbsolutePath().toString());
        if (dc.get("location") == null || !Path.of(dc.get("location")).isAbsolute()) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "device_config:location must be an absolute path");
        }
        // As XAPI: the records first (the driver may read them), removed again if the SR cannot be made.
        db.write(tx -> {
            tx.put("SR", srRef, srRecord(uuid, nameLabel, nameDescription, d, contentType.isEmpty() ? d.defaultContentType() : contentType,
                    shared, smConfig));
            tx.put("PBD", pbdRef, Map.of("uuid", Refs.newUuid(), "host", host, "SR", srRef,
                    "device_config", Collections.unmodifiableMap(dc), "currently_attached", false, "other_config", Map.of()));
        });
        try {
            d.make(Path.of(dc.get("location")));
            if (hostRef.equals(host)) plug(pbdRef, true);
        } catch (RuntimeException e) {
            db.write(tx -> {
                for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) tx.delete("VDI", v.ref());
                tx.delete("PBD", pbdRef);
                tx.delete("SR", srRef);
            });
            throw e;
        }
        return srRef;
    }

    private static Map<String, Object> srRecord(String uuid, String nameLabel, String nameDescription, SrDriver d, String contentType,
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

    private Object introduceSr(Call c) {
        String uuid = c.string("uuid").isEmpty() ? Refs.newUuid() : c.string("uuid");
        String type = c.string("type").toLowerCase(java.util.Locale.ROOT);
        String ref = Refs.newRef();
        db.write(tx -> {
            if (db.refByUuid("SR", uuid).isPresent()) throw ApiError.of("SR_UUID_EXISTS", uuid);
            var rec = srRecord(uuid, c.string("name_label"), c.string("name_description"), drivers.get(type), c.string("content_type"),
                    c.bool("shared"), c.map("sm_config"));
            rec.put("type", type);
            tx.put("SR", ref, rec);
        });
        return ref;
    }

    private void assertNoAttachedPbd(String srRef) {
        if (!db.where("PBD", p -> srRef.equals(p.get("SR")) && p.bool("currently_attached")).isEmpty()) {
            throw ApiError.of("SR_HAS_PBD", srRef);
        }
    }

    private void destroySr(String srRef) {
        locked(srRef, () -> {
            DbObject sr = db.require("SR", srRef);
            SrDriver d = managing(sr);
            assertNoAttachedPbd(srRef);
            List<DbObject> pbds = db.where("PBD", p -> srRef.equals(p.get("SR")));
            if (pbds.isEmpty()) throw ApiError.of("SR_HAS_NO_PBDS", srRef);
            if (!db.where("VDI", v -> srRef.equals(v.get("SR")) && v.bool("managed") && !"rrd".equals(v.get("type"))).isEmpty()) {
                throw ApiError.of("SR_NOT_EMPTY");
            }
            Path dir = location(pbds.stream().filter(p -> hostRef.equals(p.get("host"))).findFirst().orElse(pbds.getFirst()));
            // Only the images this SR made (the hidden base copies left) and its leftovers: never a stranger's file.
            for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) deleteQuietly(d.file(dir, v.string("location")));
            removeTemporaries(dir);
            forgetRecords(srRef);
            try {
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> left = Files.list(dir)) {
                        if (left.findAny().isEmpty()) Files.delete(dir);
                    }
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "SR directory " + dir + " left behind: " + e);
            }
        });
    }

    private void forgetSr(String srRef) {
        locked(srRef, () -> {
            db.require("SR", srRef);
            assertNoAttachedPbd(srRef);
            forgetRecords(srRef);
        });
    }

    /** XAPI's really_forget: the PBDs, the VDIs and the SR; and nothing left pointing at it as a default. */
    private void forgetRecords(String srRef) {
        db.write(tx -> {
            for (DbObject p : db.where("PBD", p -> srRef.equals(p.get("SR")))) tx.delete("PBD", p.ref());
            for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) tx.delete("VDI", v.ref());
            tx.delete("SR", srRef);
            for (DbObject pool : db.all("pool")) {
                for (String f : List.of("default_SR", "suspend_image_SR", "crash_dump_SR")) {
                    if (srRef.equals(pool.get(f))) tx.set("pool", pool.ref(), f, ClassDef.NULL_REF);
                }
            }
            for (DbObject host : db.all("host")) {
                for (String f : List.of("suspend_image_sr", "crash_dump_sr")) {
                    if (srRef.equals(host.get(f))) tx.set("host", host.ref(), f, ClassDef.NULL_REF);
                }
            }
        });
    }

    /** SR.update: physical_size and physical_utilisation from the file system, virtual_allocation from the VDIs. */
    private void refreshSr(String srRef, Path dir) {
        long total;
        long free;
        try {
            FileStore fs = Files.getFileStore(dir);
            total = fs.getTotalSpace();
            free = fs.getUsableSpace();
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read the file system of " + dir + ": " + e);
        }
        long allocated = db.where("VDI", v -> srRef.equals(v.get("SR")) && v.bool("managed")).stream()
                .mapToLong(v -> v.integer("virtual_size")).sum();
        db.write(tx -> {
            if (db.get("SR", srRef) == null) return;
            tx.set("SR", srRef, "physical_size", total);
            tx.set("SR", srRef, "physical_utilisation", total - free);
            tx.set("SR", srRef, "virtual_allocation", allocated);
        });
    }

    private static long freeSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read the file system of " + dir + ": " + e);
        }
    }

    /**
     * SR.scan: records for images found without one, records forgotten whose image is gone, sizes and
     * chains refreshed, base copies no image uses removed, temporary leftovers removed.
     */
    void scan(String srRef) {
        locked(srRef, () -> {
            DbObject sr = db.require("SR", srRef);
            SrDriver d = driver(sr);
            Path dir = attachedDir(srRef);
            if (d.managesDisks()) removeTemporaries(dir);
            Map<String, SrDriver.Found> found = d.scan(dir);
            var parents = new java.util.HashSet<String>();
            for (SrDriver.Found f : found.values()) if (f.parent() != null) parents.add(f.parent());
            var known = new java.util.HashSet<String>();
            db.write(tx -> {
                for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) {
                    SrDriver.Found f = found.get(v.string("location"));
                    known.add(v.string("location"));
                    if (f == null) {
                        if (activeVbds(v.ref()).isEmpty()) tx.delete("VDI", v.ref());
                        else tx.set("VDI", v.ref(), "missing", true);
                        continue;
                    }
                    tx.set("VDI", v.ref(), "virtual_size", f.virtualSize());
                    tx.set("VDI", v.ref(), "physical_utilisation", f.physicalUtilisation());
                    tx.set("VDI", v.ref(), "missing", false);
                    if (d.managesDisks()) tx.set("VDI", v.ref(), "sm_config", withParent(v.map("sm_config"), f.parent()));
                }
                for (SrDriver.Found f : found.values()) {
                    if (known.contains(f.location())) continue;
                    boolean base = parents.contains(f.location());
                    tx.put("VDI", Refs.newRef(), vdiRecord(f.location(), srRef, d, f, base));
                }
            });
            if (d.managesDisks()) collectBases(srRef, d, dir);
            refreshSr(srRef, dir);
        });
    }

    private Map<String, Object> vdiRecord(String location, String srRef, SrDriver d, SrDriver.Found f, boolean base) {
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

    private static Map<String, String> withParent(Map<String, String> smConfig, String parent) {
        var m = new LinkedHashMap<>(smConfig);
        if (parent == null) m.remove(PARENT_KEY);
        else m.put(PARENT_KEY, parent);
        m.putIfAbsent("image-format", "qcow2");
        return Collections.unmodifiableMap(m);
    }

    private static void removeTemporaries(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) if (SrDriver.isTemporary(f.getFileName().toString())) deleteQuietly(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + f + ": " + e);
        }
    }

    // ---- PBD --------------------------------------------------------------------------------------

    private Object createPbd(Call c) {
        Map<String, Object> args = c.map("args");
        String sr = (String) args.getOrDefault("SR", ClassDef.NULL_REF);
        String host = (String) args.getOrDefault("host", ClassDef.NULL_REF);
        db.require("SR", sr);
        db.require("host", host);
        String ref = Refs.newRef();
        db.write(tx -> {
            for (DbObject p : db.where("PBD", p -> sr.equals(p.get("SR")) && host.equals(p.get("host")))) {
                throw ApiError.of("PBD_EXISTS", sr, host, p.ref());
            }
            tx.put("PBD", ref, Map.of("uuid", Refs.newUuid(), "host", host, "SR", sr,
                    "device_config", args.getOrDefault("device_config", Map.of()),
                    "other_config", args.getOrDefault("other_config", Map.of()), "currently_attached", false));
        });
        return ref;
    }

    private void destroyPbd(String ref) {
        db.write(tx -> {
            if (db.require("PBD", ref).bool("currently_attached")) throw ApiError.of("OPERATION_NOT_ALLOWED", "PBD is currently attached");
            tx.delete("PBD", ref);
        });
    }

    private void plug(String pbdRef, boolean scan) {
        DbObject pbd = db.require("PBD", pbdRef);
        String srRef = pbd.string("SR");
        DbObject sr = db.require("SR", srRef);
        SrDriver d = driver(sr);
        locked(srRef, () -> {
            d.attach(location(pbd));
            db.write(tx -> {
                tx.set("PBD", pbdRef, "currently_attached", true);
                tx.set("SR", srRef, "allowed_operations", d.srOperations());
            });
            if (hostRef.equals(pbd.string("host"))) refreshSr(srRef, location(pbd));
        });
        if (scan && hostRef.equals(pbd.string("host"))) scan(srRef);
    }

    private void unplug(String pbdRef) {
        DbObject pbd = db.require("PBD", pbdRef);
        String srRef = pbd.string("SR");
        locked(srRef, () -> {
            if (!db.require("PBD", pbdRef).bool("currently_attached")) return;
            var inUse = new ArrayList<String>();
            for (DbObject v : db.where("VDI", v -> srRef.equals(v.get("SR")))) if (!activeVbds(v.ref()).isEmpty()) inUse.add(v.ref());
            if (!inUse.isEmpty()) throw new ApiError("VDI_IN_USE", inUse);
            db.write(tx -> tx.set("PBD", pbdRef, "currently_attached", false));
        });
    }

    // ---- VDI --------------------------------------------------------------------------------------

    /** The VBDs through which a VM has the VDI open now (XAPI: currently_attached). */
    private List<DbObject> activeVbds(String vdiRef) {
        return db.where("VBD", b -> vdiRef.equals(b.get("VDI")) && b.bool("currently_attached"));
    }

    private DbObject managedVdi(String vdiRef) {
        DbObject v = db.require("VDI", vdiRef);
        if (!v.bool("managed")) throw ApiError.of("VDI_NOT_MANAGED", vdiRef);
        return v;
    }

    /** VDI.create from a (partial) record, for other subsystems too (VM.provision). */
    public String createVdi(Map<String, Object> given) {
        String srRef = (String) given.getOrDefault("SR", ClassDef.NULL_REF);
        DbObject sr = db.require("SR", srRef);
        SrDriver d = managing(sr);
        long size = (Long) given.getOrDefault("virtual_size", 0L);
        if (size < 0) throw ApiError.of("VALUE_NOT_SUPPORTED", "virtual_size", Long.toString(size), "must not be negative");
        return locked(srRef, () -> {
            Path dir = attachedDir(srRef);
            long free = freeSpace(dir);
            if (size > free) throw ApiError.of("SR_FULL", Long.toString(size), Long.toString(free));
            String uuid = Refs.newUuid();
            Path image = makeImage(dir, uuid, tmp -> qemu.create(tmp, size, null));
            QemuImg.Info info = qemu.info(image);
            var fields = new LinkedHashMap<String, Object>();
            var def = db.model().classDef("VDI");
            given.forEach((k, v) -> { if (def.field(k).qualifier().inConstructor()) fields.put(k, v); });
            fields.putIfAbsent("type", "user"); // the datamodel's zero would be "system"
            fields.put("uuid", uuid);
            fields.put("SR", srRef);
            fields.put("virtual_size", info.virtualSize());
            fields.put("physical_utilisation", info.actualSize());
            fields.put("location", uuid);
            fields.put("managed", true);
            @SuppressWarnings("unchecked")
            var sm = (Map<String, String>) given.getOrDefault("sm_config", Map.of());
            fields.put("sm_config", withParent(sm, null));
            fields.put("allowed_operations", d.vdiOperations());
            String ref = Refs.newRef();
            try {
                db.write(tx -> tx.put("VDI", ref, fields));
            } catch (RuntimeException e) {
                deleteQuietly(image);
                throw e;
            }
            refreshSr(srRef, dir);
            return ref;
        });
    }

    private interface ImageMaker { void make(Path tmp); }

    /** Makes {@code <uuid>.qcow2} under a temporary name, then renames it into place; nothing is left if it fails. */
    private static Path makeImage(Path dir, String uuid, ImageMaker maker) {
        Path tmp = SrDriver.temporary(dir, uuid, "new");
        Path image = dir.resolve(uuid + LocalFileSr.SUFFIX);
        try {
            maker.make(tmp);
            Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
            return image;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot make " + image + ": " + e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** VDI.destroy, for other subsystems (the VM agent's provisioning clean-up). */
    public void destroyVdi(String vdiRef) {
        DbObject first = db.require("VDI", vdiRef);
        String srRef = first.string("SR");
        locked(srRef, () -> {
            DbObject v = managedVdi(vdiRef);
            SrDriver d = managing(db.require("SR", srRef));
            Path dir = attachedDir(srRef);
            if (!activeVbds(vdiRef).isEmpty()) throw ApiError.of("VDI_IN_USE", vdiRef, "destroy");
            boolean hasChildren = !db.where("VDI", o -> srRef.equals(o.get("SR"))
                    && v.uuid().equals(o.<String, String>map("sm_config").get(PARENT_KEY))).isEmpty();
            if (hasChildren) {
                // Other images are built on this one (made outside our snapshot scheme): it lives on as a hidden base copy.
                db.write(tx -> {
                    for (DbObject b : db.where("VBD", b -> vdiRef.equals(b.get("VDI")))) tx.delete("VBD", b.ref());
                    tx.set("VDI", vdiRef, "managed", false);
                    tx.set("VDI", vdiRef, "read_only", true);
                    tx.set("VDI", vdiRef, "name_label", "base copy");
                    tx.set("VDI", vdiRef, "allowed_operations", List.of());
                });
            } else {
                removeImage(d, dir, v, true);
            }
            collectBases(srRef, d, dir);
            refreshSr(srRef, dir);
        });
    }

    /** Rename the image away, delete the record (and the VDI's VBDs), then unlink: see the class comment. */
    private void removeImage(SrDriver d, Path dir, DbObject v, boolean withVbds) {
        Path image = d.file(dir, v.string("location"));
        Path doomed = SrDriver.temporary(dir, v.string("location"), "destroy");
        try {
            if (Files.exists(image)) Files.move(image, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot remove " + image + ": " + e);
        }
        db.write(tx -> {
            if (withVbds) for (DbObject b : db.where("VBD", b -> v.ref().equals(b.get("VDI")))) tx.delete("VBD", b.ref());
            if (db.get("VDI", v.ref()) != null) tx.delete("VDI", v.ref());
        });
        deleteQuietly(doomed);
    }

    /** Removes the base copies that no VDI of the SR is built on any longer, bottom up. */
    private void collectBases(String srRef, SrDriver d, Path dir) {
        while (true) {
            List<DbObject> vdis = db.where("VDI", o -> srRef.equals(o.get("SR")));
            var used = new java.util.HashSet<String>();
            for (DbObject o : vdis) {
                String p = o.<String, String>map("sm_config").get(PARENT_KEY);
                if (p != null) used.add(p);
            }
            DbObject unused = vdis.stream().filter(o -> !o.bool("managed") && !used.contains(o.string("location"))).findFirst().orElse(null);
            if (unused == null) return;
            removeImage(d, dir, unused, true);
        }
    }

    /** VDI.snapshot: a read-only copy-on-write snapshot of the VDI (is_a_snapshot, snapshot_of). */
    public String snapshotVdi(String vdiRef) { return (String) branch(vdiRef, true); }

    /** VDI.clone: a fast copy-on-write clone of the VDI. */
    public String cloneVdi(String vdiRef) { return (String) branch(vdiRef, false); }

    /**
     * VDI.snapshot and VDI.clone: the image becomes a base copy B (a hard link first, so that the VDI's
     * own name never disappears), a new overlay on B is renamed over the VDI's image, and the new VDI is a
     * second overlay on B. A running VM is switched to its new overlay by the VM agent first.
     */
    private Object branch(String vdiRef, boolean snapshot) {
        String op = snapshot ? "snapshot" : "clone";
        DbObject first = db.require("VDI", vdiRef);
        String srRef = first.string("SR");
        return locked(srRef, () -> {
            DbObject v = managedVdi(vdiRef);
            SrDriver d = managing(db.require("SR", srRef));
            Path dir = attachedDir(srRef);
            List<DbObject> active = activeVbds(vdiRef);
            Path image = d.file(dir, v.string("location"));
            if (!Files.exists(image)) throw ApiError.of("VDI_MISSING", srRef, vdiRef);
            QemuImg.Info info = qemu.info(image);
            String baseUuid = Refs.newUuid();
            String newUuid = Refs.newUuid();
            String baseName = baseUuid + LocalFileSr.SUFFIX;
            Path base = dir.resolve(baseName);
            Path liveTmp = SrDriver.temporary(dir, v.string("location"), "overlay");
            Path newTmp = SrDriver.temporary(dir, newUuid, "new");
            boolean linked = false;
            try {
                qemu.create(liveTmp, info.virtualSize(), baseName);
                qemu.create(newTmp, info.virtualSize(), baseName);
                Files.createLink(base, image);
                linked = true;
                for (DbObject vbd : active) online.switchToOverlay(vdiRef, vbd.ref(), liveTmp);
                Files.move(liveTmp, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(liveTmp);
                deleteQuietly(newTmp);
                if (linked) deleteQuietly(base);
                if (e instanceof ApiError a) {
                    if (a.code().equals("VDI_IN_USE")) throw ApiError.of("VDI_IN_USE", vdiRef, op);
                    throw a;
                }
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op + " of " + image + " failed: " + e);
            }
            // From here the VDI's data is safe in B and its image is the new overlay: finishing cannot lose data.
            Path newImage = dir.resolve(newUuid + LocalFileSr.SUFFIX);
            try {
                Files.move(newTmp, newImage, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteQuietly(newTmp);
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", op + ": cannot make " + newImage + ": " + e);
            }
            Map<String, String> oldSm = v.map("sm_config");
            String newRef = Refs.newRef();
            db.write(tx -> {
                var b = vdiRecord(baseUuid, srRef, d, new SrDriver.Found(baseUuid, info.virtualSize(), info.actualSize(),
                        oldSm.get(PARENT_KEY)), true);
                b.put("type", v.get("type"));
                tx.put("VDI", Refs.newRef(), b);
                tx.set("VDI", vdiRef, "sm_config", withParent(oldSm, baseUuid));
                tx.set("VDI", vdiRef, "physical_utilisation", sizeOf(image));
                var n = new LinkedHashMap<String, Object>();
                for (String f : List.of("name_label", "name_description", "type", "sharable", "read_only", "other_config",
                        "xenstore_data", "tags", "on_boot", "allow_caching")) n.put(f, v.get(f));
                n.put("uuid", newUuid);
                n.put("SR", srRef);
                n.put("virtual_size", info.virtualSize());
                n.put("physical_utilisation", sizeOf(newImage));
                n.put("location", newUuid);
                n.put("managed", true);
                n.put("sm_config", withParent(oldSm, baseUuid));
                n.put("allowed_operations", d.vdiOperations());
                if (snapshot) {
                    n.put("is_a_snapshot", true);
                    n.put("snapshot_of", vdiRef);
                    n.put("snapshot_time", Instant.now());
                }
                tx.put("VDI", newRef, n);
            });
            refreshSr(srRef, dir);
            return newRef;
        });
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /** VDI.resize: grow only; offline with qemu-img, online through the VM agent (QMP block_resize). */
    private void resize(String vdiRef, long size) {
        DbObject first = db.require("VDI", vdiRef);
        String srRef = first.string("SR");
        locked(srRef, () -> {
            DbObject v = managedVdi(vdiRef);
            SrDriver d = managing(db.require("SR", srRef));
            Path dir = attachedDir(srRef);
            Path image = d.file(dir, v.string("location"));
            long current = qemu.info(image).virtualSize();
            if (size < current) throw ApiError.of("VDI_TOO_SMALL", vdiRef, Long.toString(current));
            if (size == current) return;
            long free = freeSpace(dir);
            if (size - current > free) throw ApiError.of("SR_FULL", Long.toString(size), Long.toString(current + free));
            List<DbObject> active = activeVbds(vdiRef);
            if (active.isEmpty()) {
                qemu.resize(image, size);
            } else {
                for (DbObject vbd : active) online.resize(vdiRef, vbd.ref(), image, size);
            }
            QemuImg.Info info = qemu.info(image);
            db.write(tx -> {
                tx.set("VDI", vdiRef, "virtual_size", info.virtualSize());
                tx.set("VDI", vdiRef, "physical_utilisation", info.actualSize());
            });
            refreshSr(srRef, dir);
        });
    }

    private Object introduceVdi(Call c) {
        String srRef = c.ref("SR");
        DbObject sr = db.require("SR", srRef);
        SrDriver d = driver(sr);
        String location = c.string("location");
        return locked(srRef, () -> {
            Path dir = attachedDir(srRef);
            if (!db.where("VDI", v -> srRef.equals(v.get("SR")) && location.equals(v.get("location"))).isEmpty()) {
                throw ApiError.of("LOCATION_NOT_UNIQUE", srRef, location);
            }
            SrDriver.Found f = d.scan(dir).get(location);
            if (f == null) throw ApiError.of("VDI_LOCATION_MISSING", srRef, location);
            String uuid = c.string("uuid").isEmpty() ? Refs.newUuid() : c.string("uuid");
            if (db.refByUuid("VDI", uuid).isPresent()) throw ApiError.of("DB_UNIQUENESS_CONSTRAINT_VIOLATION", "VDI", "uuid", uuid);
            var rec = vdiRecord(location, srRef, d, f, false);
            rec.put("uuid", uuid);
            rec.put("name_label", c.string("name_label"));
            rec.put("name_description", c.string("name_description"));
            rec.put("type", c.string("type"));
            rec.put("sharable", c.bool("sharable"));
            rec.put("read_only", c.bool("read_only") || !d.managesDisks());
            rec.put("other_config", c.map("other_config"));
            rec.put("xenstore_data", c.map("xenstore_data"));
            rec.put("sm_config", d.managesDisks() ? withParent(c.map("sm_config"), f.parent()) : c.map("sm_config"));
            rec.put("managed", c.bool("managed"));
            rec.put("is_a_snapshot", c.bool("is_a_snapshot"));
            rec.put("snapshot_time", c.arg("snapshot_time"));
            rec.put("snapshot_of", c.ref("snapshot_of"));
            String ref = Refs.newRef();
            db.write(tx -> tx.put("VDI", ref, rec));
            return ref;
        });
    }

    private void forgetVdi(String vdiRef) {
        db.write(tx -> {
            db.require("VDI", vdiRef);
            if (!activeVbds(vdiRef).isEmpty()) throw ApiError.of("VDI_IN_USE", vdiRef, "forget");
            tx.delete("VDI", vdiRef);
        });
    }

    private void updateVdi(String vdiRef) {
        DbObject v = db.require("VDI", vdiRef);
        SrDriver d = driver(db.require("SR", v.string("SR")));
        SrDriver.Found f = d.scan(attachedDir(v.string("SR"))).get(v.string("location"));
        if (f == null) throw ApiError.of("VDI_MISSING", v.string("SR"), vdiRef);
        db.write(tx -> {
            tx.set("VDI", vdiRef, "virtual_size", f.virtualSize());
            tx.set("VDI", vdiRef, "physical_utilisation", f.physicalUtilisation());
        });
    }

    /** VDI.copy: every block into a new VDI on {@code sr}, or into the existing {@code into_vdi}. */
    /** VDI.copy: every block into a new VDI on {@code sr} (or into the existing {@code into}), with progress on {@code task}. */
    public String copyVdi(String vdiRef, String srArg, String into, org.flotilla.api.TaskContext task) {
        DbObject v = db.require("VDI", vdiRef);
        DbObject srcSr = db.require("SR", v.string("SR"));
        SrDriver srcDriver = driver(srcSr);
        Path src = srcDriver.file(attachedDir(srcSr.ref()), v.string("location"));
        if (activeVbds(vdiRef).stream().anyMatch(b -> "RW".equals(b.get("mode")))) throw ApiError.of("VDI_IN_USE", vdiRef, "copy");
        long srcSize = v.integer("virtual_size");
        task.progress(0.0);
        if (!Refs.isNull(into)) {
            DbObject dst = db.require("VDI", into);
            String dstSr = dst.string("SR");
            return locked(dstSr, () -> {
                SrDriver d = managing(db.require("SR", dstSr));
                if (dst.bool("read_only")) throw ApiError.of("VDI_READONLY", into);
                if (dst.integer("virtual_size") < srcSize) throw ApiError.of("VDI_TOO_SMALL", into, Long.toString(srcSize));
                if (!activeVbds(into).isEmpty()) throw ApiError.of("VDI_IN_USE", into, "copy");
                Path dir = attachedDir(dstSr);
                qemu.convert(src, srcDriver.format(), d.file(dir, dst.string("location")), true);
                updateVdi(into);
                refreshSr(dstSr, dir);
                return into;
            });
        }
        String dstSr = srArg;
        if (Refs.isNull(dstSr)) throw ApiError.handleInvalid("SR", ClassDef.NULL_REF);
        DbObject sr = db.require("SR", dstSr);
        SrDriver d = managing(sr);
        return locked(dstSr, () -> {
            Path dir = attachedDir(dstSr);
            long free = freeSpace(dir);
            if (srcSize > free) throw ApiError.of("SR_FULL", Long.toString(srcSize), Long.toString(free));
            task.checkCancelled();
            String uuid = Refs.newUuid();
            Path image = makeImage(dir, uuid, tmp -> qemu.convert(src, srcDriver.format(), tmp, false));
            QemuImg.Info info = qemu.info(image);
            var n = new LinkedHashMap<String, Object>();
            for (String f : List.of("name_label", "name_description", "type", "sharable", "other_config", "xenstore_data", "tags"))
                n.put(f, v.get(f));
            n.put("read_only", v.bool("read_only") && srcDriver.managesDisks());
            n.put("uuid", uuid);
            n.put("SR", dstSr);
            n.put("virtual_size", info.virtualSize());
            n.put("physical_utilisation", info.actualSize());
            n.put("location", uuid);
            n.put("managed", true);
            n.put("sm_config", withParent(Map.of(), null));
            n.put("allowed_operations", d.vdiOperations());
            String ref = Refs.newRef();
            try {
                db.write(tx -> tx.put("VDI", ref, n));
            } catch (RuntimeException e) {
                deleteQuietly(image);
                throw e;
            }
            refreshSr(dstSr, dir);
            return ref;
        });
    }
}

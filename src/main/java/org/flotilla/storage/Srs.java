package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.ThisHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VdiType;

/** SR.create, introduce, destroy, forget, update, scan and the SR setters: an SR's records and its directory. */
public final class Srs {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private final Database db;
    private final Path srRoot;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final SrSpace space;
    private final SrScan scan;
    private final Pbds pbds;
    private volatile PlugElsewhere plugElsewhere = PlugElsewhere.NONE;

    /** @param srRoot where SRs made without a device_config:location get their directory */
    Srs(Database db, Path srRoot, SrDrivers drivers, SrLocks locks, SrDirectories dirs, SrSpace space, SrScan scan, Pbds pbds) {
        this.db = db;
        this.srRoot = srRoot;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.space = space;
        this.scan = scan;
        this.pbds = pbds;
    }

    /**
     * SR.create: the SR and its PBD on {@code host}, its directory made and attached. On the host alone: another host's
     * SR.create fails with CANNOT_CONTACT_HOST, where XAPI forwards it there. A shared SR gets a PBD on every host of
     * the pool with the same device_config, as in XAPI: this host makes the SR and plugs its own, then each other host
     * is asked to plug its PBD there; one that cannot (down, or the storage not mounted there) keeps its PBD unplugged
     * and plugs it at its next start.
     */
    public Ref<SR> create(Ref<Host> host, Map<String, String> deviceConfig, String nameLabel, String nameDescription, String type,
                          String contentType, boolean shared, Map<String, String> smConfig) {
        if (!dirs.isThisHost(host)) throw ThisHost.belongsTo(host);
        SrDriver d = drivers.ofType(type);
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", type);
        String uuid = Refs.newUuid();
        Ref<SR> sr = Refs.newRef(SR.CLASS);
        var dc = new LinkedHashMap<>(deviceConfig);
        // a directory under this host's state is no place that other hosts reach: a shared SR names its own
        if (!shared && !dc.containsKey(SrLocation.KEY) && d instanceof LocalFileSr) dc.put(SrLocation.KEY, srRoot.resolve(uuid).toAbsolutePath().toString());
        SrStore dir = d.store(dc, uuid);
        Map<Ref<Host>, Ref<PBD>> pbdOf = new LinkedHashMap<>();
        pbdOf.put(host, Refs.newRef(PBD.CLASS));
        if (shared) for (DbObject<Host> h : db.all(Host.CLASS)) pbdOf.putIfAbsent(h.self(Host.CLASS), Refs.newRef(PBD.CLASS));
        // As XAPI: the records first (the driver may read them), removed again if the SR cannot be made.
        db.write(tx -> {
            tx.put(sr, record(uuid, nameLabel, nameDescription, d, contentType.isEmpty() ? d.defaultContentType() : contentType,
                    shared, SmOwnedKeys.OF_SR.clientPart(smConfig)));
            pbdOf.forEach((h, pbd) -> tx.put(pbd, db.newRecord(PBD.CLASS)
                    .set(PBD.uuid, Refs.newUuid())
                    .set(PBD.host, h)
                    .set(PBD.SR, sr)
                    .set(PBD.device_config, Collections.unmodifiableMap(dc))
                    .set(PBD.currently_attached, false)
                    .set(PBD.other_config, Map.of())));
        });
        boolean made = false;
        try {
            made = d.make(dir);
            if (made) rememberMadeDirectory(sr, dir);
            if (shared) SharedSrMark.make(dir, uuid);
            pbds.plug(pbdOf.get(host), true);
        } catch (RuntimeException e) {
            db.write(tx -> {
                for (DbObject<VDI> v : db.referring(VDI.SR, sr)) tx.delete(v.self(VDI.CLASS));
                for (Ref<PBD> pbd : pbdOf.values()) tx.delete(pbd);
                tx.delete(sr);
            });
            if (shared) SharedSrMark.remove(dir, uuid);
            if (made) removeIfEmpty(dir);
            throw e;
        }
        pbdOf.forEach((h, pbd) -> {
            if (!h.equals(host)) plugThere(h, pbd);
        });
        return sr;
    }

    private void plugThere(Ref<Host> host, Ref<PBD> pbd) {
        try {
            plugElsewhere.plug(host, pbd);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "PBD " + pbd.value() + " of host " + host.value() + " left unplugged: " + e.getMessage());
        }
    }

    void setPlugElsewhere(PlugElsewhere p) { plugElsewhere = p; }

    private void rememberMadeDirectory(Ref<SR> sr, SrStore dir) {
        db.write(tx -> {
            var sm = new LinkedHashMap<>(db.require(sr).get(SR.sm_config));
            sm.put(SmOwnedKeys.MADE_DIRECTORY, dir.where());
            tx.set(sr, SR.sm_config, Collections.unmodifiableMap(sm));
        });
    }

    private Rec<SR> record(String uuid, String nameLabel, String nameDescription, SrDriver d, String contentType, boolean shared,
                           Map<String, String> smConfig) {
        return db.newRecord(SR.CLASS)
                .set(SR.uuid, uuid)
                .set(SR.name_label, nameLabel)
                .set(SR.name_description, nameDescription)
                .set(SR.type, d == null ? "" : d.type())
                .set(SR.content_type, contentType)
                .set(SR.shared, shared)
                .set(SR.sm_config, smConfig)
                .set(SR.physical_size, -1L)
                .set(SR.physical_utilisation, -1L)
                .set(SR.virtual_allocation, 0L)
                .set(SR.allowed_operations, d == null ? List.of() : d.srOperations());
    }

    /** SR.introduce: a record for an SR that exists on storage, of a type this host may not know. */
    public Ref<SR> introduce(String uuid, String nameLabel, String nameDescription, String type, String contentType, boolean shared,
                             Map<String, String> smConfig) {
        String id = uuid.isEmpty() ? Refs.newUuid() : uuid;
        String lowerType = type.toLowerCase(Locale.ROOT);
        Ref<SR> ref = Refs.newRef(SR.CLASS);
        db.write(tx -> {
            if (db.refByUuid(SR.CLASS, id).isPresent()) throw ApiError.of("SR_UUID_EXISTS", id);
            tx.put(ref, record(id, nameLabel, nameDescription, drivers.ofType(lowerType), contentType, shared,
                    SmOwnedKeys.OF_SR.clientPart(smConfig)).set(SR.type, lowerType));
        });
        return ref;
    }

    /** SR.update: the SR's sizes read again. */
    public void update(Ref<SR> sr) {
        locks.locked(sr, () -> space.refresh(sr, dirs.attached(sr)));
    }

    /** SR.scan: see {@link SrScan#scan}. */
    public void scan(Ref<SR> sr) { scan.scan(sr); }

    /**
     * SR.probe, on {@code host} (another's is forwarded there): what an SR of {@code type} would find with this device_config.
     * nfs (NfsProbe) and lvmoiscsi (IscsiProbe) answer; the directory types, which XAPI probes for nothing useful, say they cannot.
     */
    public String probe(Ref<Host> host, Map<String, String> deviceConfig, String type) {
        if (!dirs.isThisHost(host)) throw ThisHost.belongsTo(host);
        SrDriver d = drivers.ofType(type);
        if (d == null) throw ApiError.of("SR_UNKNOWN_DRIVER", type);
        return switch (d) {
            case NfsSr nfs -> NfsProbe.probe(deviceConfig);
            case IscsiSr iscsi -> IscsiProbe.probe(deviceConfig);
            default -> throw new ApiError("SR_OPERATION_NOT_SUPPORTED", List.of());
        };
    }

    /** SR.probe_ext: XAPI answers it only from SMAPIv3 drivers, and refuses it for the SMAPIv1 ones these types are. */
    public void probeExt(Ref<Host> host, String type) {
        if (!dirs.isThisHost(host)) throw ThisHost.belongsTo(host);
        if (drivers.ofType(type) == null) throw ApiError.of("SR_UNKNOWN_DRIVER", type);
        throw new ApiError("SR_OPERATION_NOT_SUPPORTED", List.of());
    }

    /** SR.get_supported_types. */
    public List<String> supportedTypes() { return drivers.types(); }

    /**
     * SR.set_shared. An SR that becomes shared is marked as such in its directory where this host has it plugged (the
     * other hosts plug it only where they find that mark); one reached by several hosts cannot stop being shared
     * (SR_HAS_MULTIPLE_PBDS), as in XAPI.
     */
    public void setShared(Ref<SR> sr, boolean value) {
        locks.locked(sr, () -> {
            if (value) {
                dirs.pluggedHere(sr).ifPresent(dir -> SharedSrMark.make(dir, db.require(sr).get(SR.uuid)));
            } else {
                List<DbObject<PBD>> reaching = db.referring(PBD.SR, sr);
                if (reaching.size() > 1) throw new ApiError("SR_HAS_MULTIPLE_PBDS", reaching.stream().map(DbObject::ref).toList());
            }
            db.write(tx -> tx.set(sr, SR.shared, value));
        });
    }

    public void setNameLabel(Ref<SR> sr, String value) { db.write(tx -> tx.set(sr, SR.name_label, value)); }

    public void setNameDescription(Ref<SR> sr, String value) { db.write(tx -> tx.set(sr, SR.name_description, value)); }

    private void assertNoAttachedPbd(Ref<SR> sr) {
        if (db.referring(PBD.SR, sr).stream().anyMatch(p -> p.get(PBD.currently_attached))) throw ApiError.of("SR_HAS_PBD", sr.value());
    }

    /** SR.destroy: the SR's images and records; its directory too if SR.create made it. */
    public void destroy(Ref<SR> ref) {
        locks.locked(ref, () -> {
            DbObject<SR> sr = db.require(ref);
            SrDriver d = drivers.managing(sr);
            assertNoAttachedPbd(ref);
            List<DbObject<PBD>> pbdsOfSr = db.referring(PBD.SR, ref);
            if (pbdsOfSr.isEmpty()) throw ApiError.of("SR_HAS_NO_PBDS", ref.value());
            if (db.referring(VDI.SR, ref).stream().anyMatch(v -> v.get(VDI.managed) && v.get(VDI.type) != VdiType.rrd)) {
                throw ApiError.of("SR_NOT_EMPTY");
            }
            // the images are where this host's PBD says; an SR of another host's alone is that host's to destroy
            DbObject<PBD> own = pbdsOfSr.stream().filter(p -> dirs.isThisHost(p.get(PBD.host))).findFirst().orElse(null);
            if (own == null) throw ThisHost.belongsTo(pbdsOfSr.getFirst().get(PBD.host));
            SrStore dir = dirs.location(own);
            // Only the images this SR made (the hidden base copies left) and its leftovers: never a stranger's file.
            for (DbObject<VDI> v : db.referring(VDI.SR, ref)) dir.deleteQuietly(d.fileName(v.get(VDI.location)));
            ImageFiles.removeTemporaries(dir);
            SharedSrMark.remove(dir, sr.get(SR.uuid));
            forgetRecords(ref);
            // and its directory only if SR.create made it: one that was there before is someone else's
            if (dir.where().equals(sr.get(SR.sm_config).get(SmOwnedKeys.MADE_DIRECTORY))) removeIfEmpty(dir);
        });
    }

    private static void removeIfEmpty(SrStore dir) {
        try {
            dir.removeIfEmpty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "SR directory " + dir.where() + " left behind: " + e);
        }
    }

    /** SR.forget: the SR's records; its disks stay. */
    public void forget(Ref<SR> sr) {
        locks.locked(sr, () -> {
            db.require(sr);
            assertNoAttachedPbd(sr);
            forgetRecords(sr);
        });
    }

    /** XAPI's really_forget: the PBDs, the VDIs and the SR; and nothing left pointing at it as a default. */
    private void forgetRecords(Ref<SR> sr) {
        db.write(tx -> {
            for (DbObject<PBD> p : db.referring(PBD.SR, sr)) tx.delete(p.self(PBD.CLASS));
            for (DbObject<VDI> v : db.referring(VDI.SR, sr)) tx.delete(v.self(VDI.CLASS));
            tx.delete(sr);
            for (DbObject<Pool> pool : db.all(Pool.CLASS)) {
                for (var f : DefaultSr.POOL_FIELDS) if (sr.equals(pool.get(f))) tx.set(pool.self(Pool.CLASS), f, SR.CLASS.nullRef());
            }
            for (DbObject<Host> host : db.all(Host.CLASS)) {
                for (var f : DefaultSr.HOST_FIELDS) if (sr.equals(host.get(f))) tx.set(host.self(Host.CLASS), f, SR.CLASS.nullRef());
            }
        });
    }
}

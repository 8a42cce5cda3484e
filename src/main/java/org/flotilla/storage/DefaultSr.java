package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;

/**
 * What every start of the daemon does for storage: the SM records of the drivers, a PBD for every shared SR of the
 * pool, this host's PBDs attached again, and the local SR ("Local storage") made the first time, with the pool's and this
 * host's default, suspend-image and crash-dump SRs pointed at it where unset.
 */
final class DefaultSr {
    /** The pool's fields that name an SR to use by default. */
    static final List<Field<Pool, Ref<SR>>> POOL_FIELDS = List.of(Pool.default_SR, Pool.suspend_image_SR, Pool.crash_dump_SR);
    /** The host's fields that name an SR to use by default. */
    static final List<Field<Host, Ref<SR>>> HOST_FIELDS = List.of(Host.suspend_image_sr, Host.crash_dump_sr);

    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private final Database db;
    private final Ref<Host> host;
    private final SmRecords sms;
    private final Srs srs;
    private final Pbds pbds;
    private final SharedSrPbds shared;

    DefaultSr(Database db, Ref<Host> host, SmRecords sms, Srs srs, Pbds pbds, SharedSrPbds shared) {
        this.db = db;
        this.host = host;
        this.sms = sms;
        this.srs = srs;
        this.pbds = pbds;
        this.shared = shared;
    }

    /** Returns the local SR in {@code dir}. */
    Ref<SR> ensure(Path dir) {
        sms.ensure();
        String location = dir.toAbsolutePath().normalize().toString();
        try {
            // the daemon's own state directory: SR.create makes only the SR's directory itself
            Files.createDirectories(dir.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        shared.ensure();
        Ref<SR> sr = reattachPbds(location);
        if (sr == null) {
            sr = srs.create(host, Map.of(SrLocation.KEY, location), "Local storage", "", LocalFileSr.TYPE, "user", false, Map.of());
        }
        pointDefaultsAt(sr);
        return sr;
    }

    /** Plugs this host's PBDs again (an SR that cannot be reached stays detached); returns the local SR at {@code location}, or null. */
    private Ref<SR> reattachPbds(String location) {
        Ref<SR> local = null;
        for (DbObject<PBD> pbd : db.referring(PBD.host, host)) {
            DbObject<SR> sr = db.get(pbd.get(PBD.SR));
            if (sr == null) continue;
            if (LocalFileSr.TYPE.equals(sr.get(SR.type)) && location.equals(pbd.get(PBD.device_config).get(SrLocation.KEY))) {
                local = sr.self(SR.CLASS);
            }
            Ref<PBD> ref = pbd.self(PBD.CLASS);
            try {
                pbds.plug(ref, false);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot attach SR " + sr.get(SR.uuid) + ": " + e.getMessage());
                if (pbd.get(PBD.currently_attached)) db.write(tx -> tx.set(ref, PBD.currently_attached, false));
            }
        }
        return local;
    }

    private void pointDefaultsAt(Ref<SR> sr) {
        db.write(tx -> {
            DbObject<Pool> pool = db.all(Pool.CLASS).stream().findFirst().orElse(null);
            if (pool != null) {
                for (var f : POOL_FIELDS) {
                    if (!db.exists(pool.get(f))) tx.set(pool.self(Pool.CLASS), f, sr);
                }
            }
            DbObject<Host> h = db.get(host);
            if (h != null) {
                for (var f : HOST_FIELDS) {
                    if (!db.exists(h.get(f))) tx.set(host, f, sr);
                }
            }
        });
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * What every start of the daemon does for storage: the SM records of the drivers, this host's PBDs
 * attached again, and the local SR ("Local storage") made the first time, with the pool's and this
 * host's default, suspend-image and crash-dump SRs pointed at it where unset.
 */
final class DefaultSr {
    /** The pool's fields that name an SR to use by default. */
    static final List<String> POOL_FIELDS = List.of("default_SR", "suspend_image_SR", "crash_dump_SR");
    /** The host's fields that name an SR to use by default. */
    static final List<String> HOST_FIELDS = List.of("suspend_image_sr", "crash_dump_sr");

    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private final Database db;
    private final String hostRef;
    private final SmRecords sms;
    private final SrMessages srs;
    private final PbdMessages pbds;

    DefaultSr(Database db, String hostRef, SmRecords sms, SrMessages srs, PbdMessages pbds) {
        this.db = db;
        this.hostRef = hostRef;
        this.sms = sms;
        this.srs = srs;
        this.pbds = pbds;
    }

    /** Returns the local SR in {@code dir}. */
    String ensure(Path dir) {
        sms.ensure();
        String location = dir.toAbsolutePath().normalize().toString();
        try {
            // the daemon's own state directory: SR.create makes only the SR's directory itself
            Files.createDirectories(dir.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String srRef = reattachPbds(location);
        if (srRef == null) {
            srRef = srs.create(hostRef, Map.of("location", location), "Local storage", "", LocalFileSr.TYPE, "user", false, Map.of());
        }
        pointDefaultsAt(srRef);
        return srRef;
    }

    /** Plugs this host's PBDs again (an SR that cannot be reached stays detached); returns the local SR at {@code location}, or null. */
    private String reattachPbds(String location) {
        String srRef = null;
        for (DbObject<?> pbd : db.where("PBD", p -> hostRef.equals(p.get("host")))) {
            DbObject<?> sr = db.get("SR", pbd.string("SR"));
            if (sr == null) continue;
            if (LocalFileSr.TYPE.equals(sr.string("type")) && location.equals(pbd.<String, String>map("device_config").get("location"))) {
                srRef = sr.ref();
            }
            try {
                pbds.plug(pbd.ref(), false);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot attach SR " + sr.uuid() + ": " + e.getMessage());
                if (pbd.bool("currently_attached")) db.write(tx -> tx.set("PBD", pbd.ref(), "currently_attached", false));
            }
        }
        return srRef;
    }

    private void pointDefaultsAt(String sr) {
        db.write(tx -> {
            DbObject<?> pool = db.all("pool").stream().findFirst().orElse(null);
            if (pool != null) {
                for (String f : POOL_FIELDS) {
                    if (db.get("SR", pool.string(f)) == null) tx.set("pool", pool.ref(), f, sr);
                }
            }
            DbObject<?> host = db.get("host", hostRef);
            if (host != null) {
                for (String f : HOST_FIELDS) {
                    if (db.get("SR", host.string(f)) == null) tx.set("host", hostRef, f, sr);
                }
            }
        });
    }
}

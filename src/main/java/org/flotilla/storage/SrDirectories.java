package org.flotilla.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/**
 * Where this host finds an SR on disk: the device_config:location of its PBD for the SR, as it was when the PBD
 * was plugged. A location changed later (PBD.set_device_config) takes effect at the next plug, as in XAPI, so
 * that a scan never reads an SR's images from a directory the SR was not attached at.
 */
final class SrDirectories {
    private final Database db;
    private final String hostRef;
    private final Map<String, Path> pluggedAt = new ConcurrentHashMap<>();

    SrDirectories(Database db, String hostRef) {
        this.db = db;
        this.hostRef = hostRef;
    }

    boolean isThisHost(Object host) { return hostRef.equals(host); }

    /** The SR's directory on this host; SR_HAS_NO_PBDS unless its PBD here is plugged (as XAPI's Sm.assert_pbd_is_plugged). */
    Path attached(String srRef) {
        DbObject<?> pbd = db.where("PBD", p -> srRef.equals(p.get("SR")) && hostRef.equals(p.get("host"))).stream().findFirst()
                .orElseThrow(() -> ApiError.of("SR_HAS_NO_PBDS", srRef));
        Path dir = pluggedAt.get(pbd.ref());
        if (!pbd.bool("currently_attached") || dir == null) throw ApiError.of("SR_HAS_NO_PBDS", srRef);
        return dir;
    }

    void plugged(String pbdRef, Path dir) { pluggedAt.put(pbdRef, dir); }

    void unplugged(String pbdRef) { pluggedAt.remove(pbdRef); }

    /** The PBD's location now, checked (SrLocation). */
    static Path location(DbObject<?> pbd) { return SrLocation.of(pbd.map("device_config")); }
}

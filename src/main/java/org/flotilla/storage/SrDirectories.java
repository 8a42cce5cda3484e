package org.flotilla.storage;

import java.nio.file.Path;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/** Where this host finds an SR on disk: the device_config:location of its PBD for the SR. */
final class SrDirectories {
    private final Database db;
    private final String hostRef;

    SrDirectories(Database db, String hostRef) {
        this.db = db;
        this.hostRef = hostRef;
    }

    boolean isThisHost(Object host) { return hostRef.equals(host); }

    /** The SR's directory, as this host's PBD has it; SR_HAS_NO_PBDS unless that PBD is plugged (as XAPI's Sm.assert_pbd_is_plugged). */
    Path attached(String srRef) {
        DbObject pbd = db.where("PBD", p -> srRef.equals(p.get("SR")) && hostRef.equals(p.get("host"))).stream().findFirst()
                .orElseThrow(() -> ApiError.of("SR_HAS_NO_PBDS", srRef));
        if (!pbd.bool("currently_attached")) throw ApiError.of("SR_HAS_NO_PBDS", srRef);
        return location(pbd);
    }

    static Path location(DbObject pbd) {
        String loc = pbd.<String, String>map("device_config").get("location");
        if (loc == null || loc.isEmpty()) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "device_config:location is missing");
        return Path.of(loc);
    }
}

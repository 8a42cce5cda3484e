package org.flotilla.storage;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.ThisHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;

/**
 * Where this host finds an SR on disk: the device_config:location of its PBD for the SR, as it was when the PBD
 * was plugged. A location changed later (PBD.set_device_config) takes effect at the next plug, as in XAPI, so
 * that a scan never reads an SR's images from a directory the SR was not attached at.
 */
final class SrDirectories {
    private final Database db;
    private final Ref<Host> host;
    private final SrDrivers drivers;
    private final Map<Ref<PBD>, SrStore> pluggedAt = new ConcurrentHashMap<>();

    SrDirectories(Database db, Ref<Host> host, SrDrivers drivers) {
        this.db = db;
        this.host = host;
        this.drivers = drivers;
    }

    boolean isThisHost(Ref<Host> h) { return host.equals(h); }

    /** The PBD is this host's to plug, unplug or read the SR through: CANNOT_CONTACT_HOST naming its host otherwise. */
    void requireThisHost(DbObject<PBD> pbd) {
        if (!isThisHost(pbd.get(PBD.host))) throw ThisHost.belongsTo(pbd.get(PBD.host));
    }

    /**
     * The SR's directory on this host, if this host has it plugged (a shared SR's VDIs are worked on by whichever host
     * is asked, where its PBD is plugged). An SR plugged only elsewhere is another host's: CANNOT_CONTACT_HOST, where
     * the call is forwarded there; plugged nowhere, SR_HAS_NO_PBDS (as XAPI's Sm.assert_pbd_is_plugged).
     */
    SrStore attached(Ref<SR> sr) {
        Optional<SrStore> here = pluggedHere(sr);
        if (here.isPresent()) return here.get();
        throw db.referring(PBD.SR, sr).stream().filter(p -> !isThisHost(p.get(PBD.host)) && p.get(PBD.currently_attached)).findFirst()
                .map(p -> ThisHost.belongsTo(p.get(PBD.host))).orElseGet(() -> ApiError.of("SR_HAS_NO_PBDS", sr.value()));
    }

    /** The SR's directory if this host has it plugged. */
    Optional<SrStore> pluggedHere(Ref<SR> sr) {
        for (DbObject<PBD> pbd : db.referring(PBD.SR, sr)) {
            SrStore dir = pluggedAt.get(pbd.self(PBD.CLASS));
            if (isThisHost(pbd.get(PBD.host)) && pbd.get(PBD.currently_attached) && dir != null) return Optional.of(dir);
        }
        return Optional.empty();
    }

    void plugged(Ref<PBD> pbd, SrStore dir) { pluggedAt.put(pbd, dir); }

    void unplugged(Ref<PBD> pbd) { pluggedAt.remove(pbd); }

    /** Where the PBD's device_config says the SR is now, checked by its driver. */
    SrStore location(DbObject<PBD> pbd) {
        DbObject<SR> sr = db.require(pbd.get(PBD.SR));
        return drivers.of(sr).store(pbd.get(PBD.device_config), sr.get(SR.uuid));
    }
}

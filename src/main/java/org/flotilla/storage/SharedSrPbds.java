package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;

/**
 * A PBD of this host for every shared SR of the pool, made at each start as XAPI's create_storage makes it for a
 * host that joined: the device_config of the coordinator's PBD for the SR (every host reaches a shared SR at the
 * same place), unplugged until the start plugs this host's PBDs.
 */
final class SharedSrPbds {
    /** A device_config key only the SR's first host may carry (XAPI's SRmaster): never copied to another host. */
    static final String SR_MASTER = "SRmaster";

    private final Database db;
    private final Ref<Host> host;
    private final Pbds pbds;

    SharedSrPbds(Database db, Ref<Host> host, Pbds pbds) {
        this.db = db;
        this.host = host;
        this.pbds = pbds;
    }

    void ensure() {
        Optional<Ref<Host>> coordinator = db.all(Pool.CLASS).stream().map(p -> p.get(Pool.master)).filter(db::exists).findFirst();
        if (coordinator.isEmpty()) return;
        for (DbObject<SR> sr : db.where(SR.CLASS, s -> s.get(SR.shared))) {
            var ofSr = db.referring(PBD.SR, sr.self(SR.CLASS));
            if (ofSr.stream().anyMatch(p -> host.equals(p.get(PBD.host)))) continue;
            ofSr.stream().filter(p -> coordinator.get().equals(p.get(PBD.host))).findFirst().ifPresent(theirs -> {
                var config = new LinkedHashMap<>(theirs.get(PBD.device_config));
                config.remove(SR_MASTER);
                pbds.create(db.newRecord(PBD.CLASS)
                        .set(PBD.SR, sr.self(SR.CLASS))
                        .set(PBD.host, host)
                        .set(PBD.device_config, Collections.unmodifiableMap(config))
                        .set(PBD.other_config, Map.of()));
            });
        }
    }
}

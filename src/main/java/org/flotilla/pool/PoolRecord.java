package org.flotilla.pool;

import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.host.Licence;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;

/** The pool object: every database has exactly one; a single host is the master of its own pool. */
public final class PoolRecord {
    private PoolRecord() {}

    /** The pool's ref, made with {@code masterHost} its master if there is none; its CPU summary brought up to date. */
    public static Ref<Pool> ensure(Database db, Ref<Host> masterHost) {
        var pools = db.all(Pool.CLASS);
        if (!pools.isEmpty()) {
            Ref<Pool> ref = pools.getFirst().self(Pool.CLASS);
            PoolCpuInfo.refresh(db);
            return ref;
        }
        Ref<Pool> ref = Refs.newRef(Pool.CLASS);
        db.write(tx -> tx.put(ref, db.newRecord(Pool.CLASS)
                .set(Pool.uuid, Refs.newUuid())
                .set(Pool.name_label, "")
                .set(Pool.master, masterHost)
                .set(Pool.restrictions, Licence.RESTRICTIONS)
                .set(Pool.cpu_info, PoolCpuInfo.of(db.all(Host.CLASS)))
                .set(Pool.other_config, Map.of())));
        return ref;
    }
}

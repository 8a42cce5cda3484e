package org.flotilla.pool;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.Pool;

/**
 * What a member records when it takes over as coordinator in an emergency, in the new pool database's first write:
 * itself as pool.master, and every other host not live, since none of them is in the new group until it is recovered
 * (pool.recover_slaves) and starts again as a member. Their VMs stay as they were recorded until VM.power_state_reset.
 */
public record EmergencyTakeover(Database db, Ref<Host> coordinator) {
    public void record() {
        db.write(tx -> {
            for (DbObject<Pool> pool : db.all(Pool.CLASS)) tx.set(pool.self(Pool.CLASS), Pool.master, coordinator);
            for (DbObject<Host> h : db.all(Host.CLASS)) {
                Ref<Host_metrics> m = h.get(Host.metrics);
                if (!h.self(Host.CLASS).equals(coordinator) && db.get(m) != null) tx.set(m, Host_metrics.live, false);
            }
        });
    }
}

package org.flotilla.pool;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;

/** How much memory a host can give a new VM now. */
@FunctionalInterface
public interface FreeMemory {
    long of(Ref<Host> host);

    /**
     * What a host last published in its metrics (host_metrics.memory_free): all a coordinator knows of another
     * host; a host knows its own better and says so with {@link #local}.
     */
    static FreeMemory published(Database db) {
        return host -> {
            DbObject<Host> h = db.get(host);
            DbObject<Host_metrics> m = h == null ? null : db.get(h.get(Host.metrics));
            return m == null ? 0 : m.get(Host_metrics.memory_free);
        };
    }

    /** This reading for {@code here}, {@code others} for every other host. */
    static FreeMemory local(Ref<Host> here, java.util.function.LongSupplier available, FreeMemory others) {
        return host -> host.equals(here) ? available.getAsLong() : others.of(host);
    }
}

package org.flotilla.storage;

import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.host.ThisHost;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;

/**
 * Where the metadata of an SR of extents is written: on the pool's coordinator alone, as XAPI has the SR master (the pool
 * master, for a shared SR) do a shared SR's VDI.create, destroy and the like. A call that would write it elsewhere is
 * sent there (CallElsewhere); there, the SR's lock orders the writers. SRs of images, whose files each host makes and
 * removes by name on its own, are worked on wherever the call is made.
 */
final class SrMaster {
    private final Database db;
    private final Ref<Host> host;

    SrMaster(Database db, Ref<Host> host) {
        this.db = db;
        this.host = host;
    }

    /** Fails with the error that sends the call to the coordinator, unless this host may write the SR's metadata. */
    void require(SrDriver d) {
        if (!d.extents()) return;
        Optional<Ref<Host>> c = coordinator();
        if (c.isPresent() && !c.get().equals(host)) throw ThisHost.belongsTo(c.get());
    }

    /** Whether this host writes the metadata of an SR of this driver. */
    boolean isHere(SrDriver d) { return !d.extents() || coordinator().map(host::equals).orElse(true); }

    private Optional<Ref<Host>> coordinator() {
        return db.all(Pool.CLASS).stream().map(p -> p.get(Pool.master)).filter(db::exists).findFirst();
    }
}

package org.flotilla.network.bridge;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Network;

/**
 * The bridge of each network on this host ({@code network.bridge}): made when a VIF or a call needs it, removed
 * once nothing uses it. Changes to this host's network devices, and to the records naming them, are made one at
 * a time {@link #exclusively}, so that two calls never take the same name or remove a bridge the other is filling.
 */
public final class NetworkBridges {
    private static final System.Logger LOG = System.getLogger(NetworkBridges.class.getName());

    private final Database db;
    private final HostLinks links;
    private final ReentrantLock lock = new ReentrantLock();

    public NetworkBridges(Database db, HostLinks links) {
        this.db = db;
        this.links = links;
    }

    public HostLinks links() { return links; }

    public <T> T exclusively(Supplier<T> change) {
        lock.lock();
        try {
            return change.get();
        } finally {
            lock.unlock();
        }
    }

    public void exclusively(Runnable change) {
        exclusively(() -> {
            change.run();
            return null;
        });
    }

    /** Makes the network's bridge exist and be up; an unmanaged network's bridge is the administrator's, and must exist. */
    public void ensure(DbObject<Network> net) {
        String bridge = net.get(Network.bridge);
        if (!net.get(Network.managed)) {
            if (!links.exists(bridge)) throw ApiError.of("BRIDGE_NOT_AVAILABLE", bridge);
            return;
        }
        links.ensureBridge(bridge, net.get(Network.MTU));
    }

    /**
     * Removes a bridge this host made for a managed network once nothing is enslaved to it and no PIF carries the
     * network (XAPI's deregister_vif does the same for internal networks).
     */
    public void removeIfUnused(DbObject<Network> net) {
        String bridge = net.get(Network.bridge);
        if (!net.get(Network.managed) || !links.exists(bridge) || !links.isBridge(bridge)) return;
        Ref<Network> ref = net.self(Network.CLASS);
        if (db.exists(ref) && !db.related(ref, Network.PIFs).isEmpty()) return;
        if (!links.ports(bridge).isEmpty()) return;
        try {
            links.delete(bridge);
        } catch (ApiError e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove bridge " + bridge + ": " + e.getMessage());
        }
    }
}

package org.flotilla.network.pif;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.xenapi.Network;
import org.flotilla.network.Networks;

/**
 * The networks every host has, made at every start (idempotent): the host internal management network (bridge
 * {@code xenapi}), and a PIF for each of this host's physical or veth interfaces, each with its own network as
 * XAPI names them ("Pool-wide network associated with eth0", bridge {@code xenbr0}). Records only: no device
 * changes.
 */
public final class HostNetworks {
    static final String INTERNAL_MANAGEMENT_BRIDGE = "xenapi";
    private static final System.Logger LOG = System.getLogger(HostNetworks.class.getName());

    private final Database db;
    private final Networks networks;
    private final Pifs pifs;

    public HostNetworks(Database db, Networks networks, Pifs pifs) {
        this.db = db;
        this.networks = networks;
        this.pifs = pifs;
    }

    public void ensure() {
        ensureInternalManagementNetwork();
        try {
            pifs.scan();
        } catch (ApiError e) {
            LOG.log(System.Logger.Level.WARNING, "PIF scan failed: " + e.getMessage());
        }
    }

    private void ensureInternalManagementNetwork() {
        DbObject<Network> existing = db.where(Network.CLASS, Networks::isInternalManagement).stream().findFirst().orElse(null);
        if (existing != null) {
            if (!INTERNAL_MANAGEMENT_BRIDGE.equals(existing.get(Network.bridge))) {
                db.write(tx -> tx.set(existing.self(Network.CLASS), Network.bridge, INTERNAL_MANAGEMENT_BRIDGE));
            }
            return;
        }
        Map<String, String> oc = new LinkedHashMap<>();
        oc.put("is_guest_installer_network", "true");
        oc.put(Networks.INTERNAL_MANAGEMENT_KEY, "true");
        oc.put("ip_begin", "169.254.0.1");
        oc.put("ip_end", "169.254.255.254");
        oc.put("netmask", "255.255.0.0");
        networks.ensureOwn(Rec.empty(Network.CLASS)
                .set(Network.name_label, "Host internal management network")
                .set(Network.name_description, "Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI")
                .set(Network.MTU, 1500L)
                .set(Network.other_config, oc)
                .set(Network.bridge, INTERNAL_MANAGEMENT_BRIDGE));
    }
}

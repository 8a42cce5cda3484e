package org.flotilla.network.pif;

import java.util.HashMap;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.PIF_metrics;
import org.flotilla.network.Networks;
import org.flotilla.network.bridge.HostLinks;
import org.flotilla.network.bridge.NetworkBridges;

/**
 * This host's interfaces as PIFs (XAPI's xapi_pif.ml), each with the network its bridge would carry. Records
 * only: a real NIC is never enslaved, addressed or brought up or down here. Bridging a NIC into a network is
 * an explicit administrator's action that does not exist yet.
 */
public final class Pifs {
    private final Database db;
    private final Ref<Host> host;
    private final NetworkBridges bridges;
    private final HostLinks links;
    private final Networks networks;

    public Pifs(Database db, Ref<Host> host, NetworkBridges bridges, Networks networks) {
        this.db = db;
        this.host = host;
        this.bridges = bridges;
        this.links = bridges.links();
        this.networks = networks;
    }

    /** PIF.scan: a PIF (and, if need be, its network) for every physical or veth interface not yet recorded. */
    public void scan() {
        bridges.exclusively(() -> {
            String address = db.require(host).get(Host.address);
            Map<String, DbObject<PIF>> pifs = new HashMap<>();
            for (DbObject<PIF> p : db.referring(PIF.host, host)) pifs.put(p.get(PIF.device), p);
            for (HostLinks.Link l : links.list()) {
                if (!(l.physical() || "veth".equals(l.kind())) || l.name().equals("lo")) continue;
                boolean management = InterfaceAddresses.holds(l.name(), address);
                DbObject<PIF> pif = pifs.get(l.name());
                if (pif == null) {
                    introduce(l, management);
                } else if (pif.get(PIF.management) != management || pif.get(PIF.currently_attached) != l.up()) {
                    Ref<PIF> ref = pif.self(PIF.CLASS);
                    db.write(tx -> {
                        tx.set(ref, PIF.management, management);
                        tx.set(ref, PIF.currently_attached, l.up());
                    });
                }
            }
        });
    }

    /** XAPI's old bridge naming: eth<N> → xenbr<N>, anything else br<device> (cut to Linux's 15 characters). */
    public static String bridgeFor(String device) {
        if (device.matches("eth[0-9]+")) return "xenbr" + device.substring(3);
        String b = "br" + device;
        return b.length() > HostLinks.MAX_NAME ? b.substring(0, HostLinks.MAX_NAME) : b;
    }

    private void introduce(HostLinks.Link l, boolean management) {
        String bridge = bridgeFor(l.name());
        Ref<Network> net = networks.ensureOwn(Rec.empty(Network.CLASS)
                .set(Network.name_label, "Pool-wide network associated with " + l.name())
                .set(Network.name_description, "")
                .set(Network.MTU, 1500L)
                .set(Network.bridge, bridge));
        String[] ip = InterfaceAddresses.ipv4(l.name());
        db.write(tx -> {
            Ref<PIF_metrics> metrics = Refs.newRef(PIF_metrics.CLASS);
            tx.put(metrics, PifMetrics.of(db, links, l.name()));
            tx.put(Refs.newRef(PIF.CLASS), db.newRecord(PIF.CLASS)
                    .set(PIF.uuid, Refs.newUuid())
                    .set(PIF.device, l.name())
                    .set(PIF.network, net)
                    .set(PIF.host, host)
                    .set(PIF.MAC, l.mac())
                    .set(PIF.MTU, (long) l.mtu())
                    .set(PIF.VLAN, -1L)
                    .set(PIF.metrics, metrics)
                    .set(PIF.physical, true)
                    .set(PIF.currently_attached, l.up())
                    .set(PIF.IP, ip[0])
                    .set(PIF.netmask, ip[1])
                    .set(PIF.management, management)
                    .set(PIF.properties, Map.of("gro", "on")));
        });
    }
}

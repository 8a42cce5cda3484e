package org.flotilla.network;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Member;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.NetworkDefaultLockingMode;
import org.flotilla.model.xenapi.enums.NetworkPurpose;
import org.flotilla.model.xenapi.enums.VifLockingMode;
import org.flotilla.network.bridge.HostLinks;
import org.flotilla.network.bridge.NetworkBridges;
import org.flotilla.network.vif.Vifs;

/**
 * Network records (XAPI's xapi_network.ml): each stands for a bridge ({@code network.bridge}) that the VIFs and
 * PIFs on the network are ports of. A network is only a record until something needs its bridge on this host.
 */
public final class Networks {
    /** XAPI's other_config key marking the host internal management network (Xapi_globs). */
    public static final String INTERNAL_MANAGEMENT_KEY = "is_host_internal_management_network";
    /** Prefixes that a bridge named by a client may not take (XAPI's bridge_blacklist). */
    private static final List<String> RESERVED_BRIDGE_PREFIXES = List.of("xen", "xapi", "vif", "tap", "eth");

    private final Database db;
    private final NetworkBridges bridges;

    public Networks(Database db, NetworkBridges bridges) {
        this.db = db;
        this.bridges = bridges;
    }

    /**
     * network.create as XAPI's: an empty bridge name gets the first free {@code xapi<N>}; a name given by a client
     * must fit Linux (≤ 15 characters), not take a prefix the toolstack uses itself, and be unused
     * (BRIDGE_NAME_EXISTS). MTU ≤ 0 means 1500.
     */
    public Ref<Network> create(Rec<Network> given) { return create(given, false); }

    /**
     * A network of the toolstack's own, whose bridge may take its prefixes: the pool's network on the bridge
     * {@code given} names if there is one (every host's eth0 is on one network, as in XAPI), else a new one as
     * {@link #create} makes it. Looked up and made in one transaction, so that hosts starting together make one.
     */
    public Ref<Network> ensureOwn(Rec<Network> given) { return create(given, true); }

    private Ref<Network> create(Rec<Network> given, boolean own) {
        String named = given.get(Network.bridge);
        Long mtu = given.get(Network.MTU);
        return bridges.exclusively(() -> db.writeReturning(tx -> {
            if (own) {
                var existing = db.where(Network.CLASS, n -> n.get(Network.bridge).equals(named)).stream().findFirst();
                if (existing.isPresent()) return existing.get().self(Network.CLASS);
            }
            Set<String> taken = new HashSet<>();
            for (DbObject<Network> n : db.all(Network.CLASS)) taken.add(n.get(Network.bridge));
            String bridge = named == null || named.isEmpty() ? freeBridgeName(taken) : checkedBridgeName(named, taken, own);
            Rec<Network> rec = constructorFields(given)
                    .set(Network.uuid, Refs.newUuid())
                    .set(Network.bridge, bridge)
                    .set(Network.MTU, mtu != null && mtu > 0 ? mtu : 1500L);
            Ref<Network> ref = Refs.newRef(Network.CLASS);
            tx.put(ref, rec);
            return ref;
        }));
    }

    private String freeBridgeName(Set<String> taken) {
        for (int n = 0; ; n++) {
            String name = "xapi" + n;
            if (!taken.contains(name) && !bridges.links().exists(name)) return name;
        }
    }

    private static String checkedBridgeName(String bridge, Set<String> taken, boolean own) {
        if (!HostLinks.validName(bridge) || (!own && RESERVED_BRIDGE_PREFIXES.stream().anyMatch(bridge::startsWith))) {
            throw ApiError.of("INVALID_VALUE", "bridge", bridge);
        }
        if (taken.contains(bridge)) throw ApiError.of("BRIDGE_NAME_EXISTS", bridge);
        return bridge;
    }

    /** What a client may give network.create: the fields the server keeps are its own. */
    private static Rec<Network> constructorFields(Rec<Network> given) {
        for (Member<Network> m : Network.CLASS.members()) if (m instanceof Field<Network, ?> f && !f.qualifier().inConstructor()) given.remove(f);
        return given;
    }

    /** network.destroy: refused while a VIF on it is attached, a PIF carries it, or it is the host's own; its VIFs go with it, as in XAPI. */
    public void destroy(Ref<Network> ref) {
        bridges.exclusively(() -> {
            DbObject<Network> net = db.require(ref);
            List<Ref<VIF>> vifs = db.related(ref, Network.VIFs);
            List<Ref<VIF>> attached = vifs.stream().filter(v -> {
                DbObject<VIF> vif = db.get(v);
                return vif != null && vif.get(VIF.currently_attached);
            }).toList();
            if (!attached.isEmpty()) throw ApiError.of("NETWORK_CONTAINS_VIF", values(attached));
            List<Ref<PIF>> pifs = db.related(ref, Network.PIFs);
            if (!pifs.isEmpty()) throw ApiError.of("NETWORK_CONTAINS_PIF", values(pifs));
            if (isInternalManagement(net)) throw ApiError.of("CANNOT_DESTROY_SYSTEM_NETWORK", ref.value());
            db.write(tx -> {
                for (Ref<VIF> v : vifs) Vifs.delete(tx, v);
                tx.delete(ref);
            });
            bridges.removeIfUnused(net);
        });
    }

    private static String[] values(List<? extends Ref<?>> refs) { return refs.stream().map(Ref::value).toArray(String[]::new); }

    /** Whether the network is the host internal management network, which no client may destroy. */
    public static boolean isInternalManagement(DbObject<Network> net) {
        return "true".equalsIgnoreCase(net.get(Network.other_config).get(INTERNAL_MANAGEMENT_KEY));
    }

    /** Makes the network's bridge exist and be up on this host (network.attach). */
    public void attach(Ref<Network> ref) { bridges.exclusively(() -> bridges.ensure(db.require(ref))); }

    /** The bridges of every network the VM has a VIF on (network.attach_for_vm). */
    public void attachForVm(Ref<VM> vm) {
        bridges.exclusively(() -> {
            for (Ref<VIF> v : db.related(vm, VM.VIFs)) {
                DbObject<VIF> vif = db.get(v);
                if (vif != null) bridges.ensure(db.require(vif.get(VIF.network)));
            }
        });
    }

    /** network.set_default_locking_mode: refused while an attached VIF on the network follows the network's mode. */
    public void setDefaultLockingMode(Ref<Network> ref, NetworkDefaultLockingMode mode) {
        db.write(tx -> {
            db.require(ref);
            for (Ref<VIF> v : db.related(ref, Network.VIFs)) {
                DbObject<VIF> vif = db.get(v);
                if (vif != null && vif.get(VIF.currently_attached) && vif.get(VIF.locking_mode) == VifLockingMode.network_default) {
                    throw ApiError.of("VIF_IN_USE", ref.value(), v.value());
                }
            }
            tx.set(ref, Network.default_locking_mode, mode);
        });
    }

    /** network.add_purpose: nbd and insecure_nbd exclude each other across all networks, as in XAPI. */
    public void addPurpose(Ref<Network> ref, NetworkPurpose purpose) {
        db.write(tx -> {
            DbObject<Network> net = db.require(ref);
            if (!net.get(Network.managed)) throw ApiError.of("NETWORK_UNMANAGED", ref.value());
            List<NetworkPurpose> current = net.get(Network.purpose);
            if (current.contains(purpose)) return;
            NetworkPurpose conflicting = purpose == NetworkPurpose.nbd ? NetworkPurpose.insecure_nbd : NetworkPurpose.nbd;
            for (DbObject<Network> other : db.all(Network.CLASS)) {
                if (other.get(Network.purpose).contains(conflicting)) {
                    throw ApiError.of("NETWORK_INCOMPATIBLE_PURPOSES", purpose.wire(), conflicting.wire());
                }
            }
            var next = new ArrayList<>(current);
            next.add(purpose);
            tx.set(ref, Network.purpose, next);
        });
    }

    public void removePurpose(Ref<Network> ref, NetworkPurpose purpose) {
        db.write(tx -> {
            List<NetworkPurpose> current = db.require(ref).get(Network.purpose);
            if (current.contains(purpose)) tx.set(ref, Network.purpose, current.stream().filter(p -> p != purpose).toList());
        });
    }
}

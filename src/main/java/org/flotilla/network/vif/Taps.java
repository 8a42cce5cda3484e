package org.flotilla.network.vif;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.network.bridge.HostLinks;
import org.flotilla.network.bridge.NetworkBridges;
import org.flotilla.pool.VmHome;
import org.flotilla.runtime.launch.VifBackend;
import org.flotilla.vm.HeldNics;

/**
 * The host side of attached VIFs: a tap device per VIF, {@code vif<domid>.<device>}, on its network's bridge,
 * named in the VIF's runtime_properties while it exists. The VM runtime {@link #attach}es a VIF before it opens
 * the tap for QEMU ({@code -netdev tap,fd=N}) and {@link #detach}es it once QEMU has gone.
 */
public final class Taps implements VifBackend {
    /** The VIF's runtime_properties key naming its tap device while attached. */
    public static final String TAP_KEY = HeldNics.TAP_KEY;
    private static final System.Logger LOG = System.getLogger(Taps.class.getName());

    private final Database db;
    private final Ref<Host> host;
    private final NetworkBridges bridges;
    private final HostLinks links;
    private final TapNames names;

    public Taps(Database db, Ref<Host> host, NetworkBridges bridges) {
        this.db = db;
        this.host = host;
        this.bridges = bridges;
        this.links = bridges.links();
        this.names = new TapNames(db, links);
    }

    /**
     * Makes the VIF's network bridge exist on this host and a tap device on it (root's: the daemon opens it and
     * hands QEMU the descriptor), and marks the VIF currently_attached. Attaching an attached VIF again returns
     * the same tap.
     */
    @Override
    public TapDevice attach(Ref<VIF> vifRef, Ref<VM> vmRef) {
        return bridges.exclusively(() -> {
            DbObject<VIF> vif = db.require(vifRef);
            if (!vmRef.equals(vif.get(VIF.VM))) throw ApiError.internal("VIF " + vifRef + " does not belong to VM " + vmRef);
            DbObject<VM> vm = db.require(vmRef);
            DbObject<Network> net = db.require(vif.get(VIF.network));
            String tap = names.of(vm, vif.get(VIF.device));
            Map<String, String> props = vif.get(VIF.runtime_properties);
            String old = props.get(TAP_KEY);
            if (old != null && !old.equals(tap)) links.delete(old);
            bridges.ensure(net);
            links.ensureTap(tap, net.get(Network.bridge), mtu(vif, net));
            if (!vif.get(VIF.currently_attached) || !tap.equals(old)) {
                var withTap = new LinkedHashMap<>(props);
                withTap.put(TAP_KEY, tap);
                db.write(tx -> {
                    tx.set(vifRef, VIF.currently_attached, true);
                    tx.set(vifRef, VIF.runtime_properties, Collections.unmodifiableMap(withTap));
                });
            }
            return new TapDevice(tap, vif.get(VIF.MAC));
        });
    }

    /**
     * Removes the VIF's tap device and clears currently_attached; an internal network's bridge goes too once
     * nothing is left on it. Idempotent, and a VIF that no longer exists is no error.
     */
    @Override
    public void detach(Ref<VIF> vif) { removeTap(vif, true); }

    /**
     * The VIF detached from its network while its VM's QEMU still holds the tap (a NIC the guest has not let go of,
     * unplugged by force): the tap is taken off the bridge and down, not removed, since QEMU fails on a tap removed
     * under it (QEMU 10 exits); it goes when the VM stops, as its other taps do.
     */
    @Override
    public void cutOff(Ref<VIF> vifRef) {
        bridges.exclusively(() -> {
            DbObject<VIF> vif = db.get(vifRef);
            if (vif == null) return;
            String tap = vif.get(VIF.runtime_properties).get(TAP_KEY);
            if (tap != null) links.cutOff(tap);
            if (vif.get(VIF.currently_attached)) db.write(tx -> tx.set(vifRef, VIF.currently_attached, false));
        });
    }

    /** As {@link #detach}, but the VIF stays marked currently_attached: its VM is suspended, not stopped. */
    @Override
    public void release(Ref<VIF> vif) { removeTap(vif, false); }

    /** Detaches every VIF of the VM (network.detach_for_vm). */
    public void detachAll(Ref<VM> vm) { for (Ref<VIF> v : db.related(vm, VM.VIFs)) detach(v); }

    private void removeTap(Ref<VIF> vifRef, boolean unmark) {
        bridges.exclusively(() -> {
            DbObject<VIF> vif = db.get(vifRef);
            if (vif == null) return;
            Map<String, String> props = vif.get(VIF.runtime_properties);
            String tap = props.get(TAP_KEY);
            if (tap != null) links.delete(tap);
            if ((unmark && vif.get(VIF.currently_attached)) || tap != null) {
                var withoutTap = new LinkedHashMap<>(props);
                withoutTap.remove(TAP_KEY);
                db.write(tx -> {
                    if (!db.exists(vifRef)) return;
                    if (unmark) tx.set(vifRef, VIF.currently_attached, false);
                    tx.set(vifRef, VIF.runtime_properties, Collections.unmodifiableMap(withoutTap));
                });
            }
            DbObject<Network> net = db.get(vif.get(VIF.network));
            if (net != null) bridges.removeIfUnused(net);
            Ref<VM> vm = vif.get(VIF.VM);
            boolean vmHasTaps = db.related(vm, VM.VIFs).stream().map(db::get)
                    .anyMatch(o -> o != null && o.get(VIF.runtime_properties).containsKey(TAP_KEY));
            if (!vmHasTaps) names.release(vm);
        });
    }

    /**
     * At start: the bridges of networks with VIFs on VMs running here, again (a host restart loses them), with the
     * taps that survived (a daemon restart keeps them) enslaved again; a halted VM's leftover tap is removed by the
     * host that answers for it ({@link VmHome}). Other hosts' VMs are theirs.
     */
    public void restore() {
        for (DbObject<VIF> vif : db.all(VIF.CLASS)) {
            DbObject<VM> vm = db.get(vif.get(VIF.VM));
            DbObject<Network> net = db.get(vif.get(VIF.network));
            if (vm == null || net == null) continue;
            String tap = vif.get(VIF.runtime_properties).get(TAP_KEY);
            try {
                if (hasDomain(vm) && host.equals(vm.get(VM.resident_on))) {
                    bridges.exclusively(() -> {
                        bridges.ensure(net);
                        if (tap != null && links.exists(tap)) links.ensureTap(tap, net.get(Network.bridge), mtu(vif, net));
                    });
                } else if (vm.get(VM.power_state) == VmPowerState.Halted && (tap != null || vif.get(VIF.currently_attached))
                        && VmHome.is(db, vm, host)) {
                    detach(vif.self(VIF.CLASS));
                }
            } catch (ApiError e) {
                LOG.log(System.Logger.Level.WARNING, "cannot restore network " + net.get(Network.uuid) + " for VIF "
                        + vif.get(VIF.uuid) + ": " + e.getMessage());
            }
        }
    }

    /** The VIF's own MTU, or its network's. */
    private static long mtu(DbObject<VIF> vif, DbObject<Network> net) {
        long own = vif.get(VIF.MTU);
        return own > 0 ? own : net.get(Network.MTU);
    }

    /** Whether the VM has a QEMU (running or paused), whose NICs hold their taps. */
    static boolean hasDomain(DbObject<VM> vm) {
        VmPowerState s = vm.get(VM.power_state);
        return s == VmPowerState.Running || s == VmPowerState.Paused;
    }
}

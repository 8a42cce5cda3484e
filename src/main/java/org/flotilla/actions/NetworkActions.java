package org.flotilla.actions;

import org.flotilla.host.ThisHost;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.NetworkDefaultLockingMode;
import org.flotilla.model.xenapi.enums.NetworkPurpose;
import org.flotilla.network.Networks;
import org.flotilla.network.vif.Taps;

/** network's messages: network records, and their bridges on this host. */
public final class NetworkActions implements Network.Actions {
    private final Networks networks;
    private final Taps taps;
    private final ThisHost thisHost;

    public NetworkActions(Networks networks, Taps taps, ThisHost thisHost) {
        this.networks = networks;
        this.taps = taps;
        this.thisHost = thisHost;
    }

    @Override public Ref<Network> create(Rec<Network> args) { return networks.create(args); }

    @Override public void destroy(Ref<Network> self) { networks.destroy(self); }

    @Override
    public void attach(Ref<Network> network, Ref<Host> host) {
        thisHost.require(host);
        networks.attach(network);
    }

    @Override
    public void attach_for_vm(Ref<Host> host, Ref<VM> vm) {
        thisHost.require(host);
        networks.attachForVm(vm);
    }

    @Override
    public void detach_for_vm(Ref<Host> host, Ref<VM> vm) {
        thisHost.require(host);
        taps.detachAll(vm);
    }

    @Override
    public void set_default_locking_mode(Ref<Network> network, NetworkDefaultLockingMode value) {
        networks.setDefaultLockingMode(network, value);
    }

    @Override public void add_purpose(Ref<Network> self, NetworkPurpose value) { networks.addPurpose(self, value); }

    @Override public void remove_purpose(Ref<Network> self, NetworkPurpose value) { networks.removePurpose(self, value); }
}

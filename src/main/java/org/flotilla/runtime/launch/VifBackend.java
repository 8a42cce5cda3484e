package org.flotilla.runtime.launch;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;

/**
 * Where a VM's VIFs get their host side: a tap device on the VIF's network bridge. The network subsystem
 * implements it; the VM runtime opens each tap and hands QEMU the descriptor ({@code -netdev tap,fd=N}), so
 * the tap and /dev/net/tun stay root's.
 */
public interface VifBackend {
    /** A tap device on the VIF's network, and the MAC the guest's NIC gets. */
    record TapDevice(String name, String mac) {}

    TapDevice attach(Ref<VIF> vif, Ref<VM> vm);

    void detach(Ref<VIF> vif);

    /** Removes the tap of a VIF whose VM is being suspended; the VIF stays marked attached, to return at resume. */
    void release(Ref<VIF> vif);

    /**
     * Takes a VIF off its network while its QEMU still holds the tap (a NIC the guest has not let go of): the VIF is
     * no longer attached; the tap goes with the VM's other taps.
     */
    void cutOff(Ref<VIF> vif);

    /** Until networking is wired in: a VM with VIFs cannot start. */
    VifBackend NONE = new VifBackend() {
        @Override public TapDevice attach(Ref<VIF> vif, Ref<VM> vm) {
            throw ApiError.of("INTERNAL_ERROR", "no network backend on this host: cannot attach VIF " + vif.value());
        }

        @Override public void detach(Ref<VIF> vif) { }

        @Override public void release(Ref<VIF> vif) { }

        @Override public void cutOff(Ref<VIF> vif) { }
    };
}

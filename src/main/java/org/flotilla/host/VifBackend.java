package org.flotilla.host;

import org.flotilla.model.ApiError;

/**
 * Where a VM's VIFs get their host side: a tap device on the VIF's network bridge. The network subsystem
 * implements it; the VM runtime hands each tap to QEMU ({@code -netdev tap,ifname=...}). The tap must be
 * usable by QEMU's unprivileged user (e.g. {@code ip tuntap add ... user flotilla-qemu}).
 */
public interface VifBackend {
    /** A tap device on the VIF's network, and the MAC the guest's NIC gets. */
    record TapDevice(String name, String mac) {}

    TapDevice attach(String vifRef, String vmRef);

    void detach(String vifRef);

    /** Removes the tap of a VIF whose VM is being suspended; the VIF stays marked attached, to return at resume. */
    void release(String vifRef);

    /** Until networking is wired in: a VM with VIFs cannot start. */
    VifBackend NONE = new VifBackend() {
        @Override public TapDevice attach(String vifRef, String vmRef) {
            throw ApiError.of("INTERNAL_ERROR", "no network backend on this host: cannot attach VIF " + vifRef);
        }

        @Override public void detach(String vifRef) { }

        @Override public void release(String vifRef) { }
    };
}

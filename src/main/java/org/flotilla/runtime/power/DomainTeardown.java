package org.flotilla.runtime.power;

import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.Swtpm;
import org.flotilla.runtime.launch.VifTaps;
import org.flotilla.runtime.launch.VmJails;

/** The end of a QEMU, however it came: the VM recorded halted (or suspended), its swtpm, taps, run dir and cgroup let go. */
public final class DomainTeardown {
    private final Domains domains;
    private final VifTaps taps;
    private final PowerStateRecords records;
    private final Swtpm swtpm;
    private final VmJails jails;

    public DomainTeardown(Domains domains, VifTaps taps, PowerStateRecords records, Swtpm swtpm, VmJails jails) {
        this.jails = jails;
        this.domains = domains;
        this.taps = taps;
        this.records = records;
        this.swtpm = swtpm;
    }

    /** After the QEMU of {@code d} has gone: records the VM {@code state} and removes its run dir, once. */
    void afterExit(Domain d, VmPowerState state) {
        if (!d.markEnded()) return;
        domains.remove(d);
        d.qmp.close();
        swtpm.stop(d.runDir);
        halted(d.vmRef, state);
        HostFiles.deleteTree(d.runDir);
        jails.removeCgroup(d.uuid);
    }

    void afterExit(Domain d) { afterExit(d, VmPowerState.Halted); }

    /**
     * Ends a QEMU whose VM lives on elsewhere — the source's once the guest has moved, the destination's when a
     * migration failed — and lets go of what it held here, leaving the VM's records (and taps) alone.
     */
    public void letGo(Domain d) throws InterruptedException {
        d.expectExit();
        try {
            d.quit();
        } finally {
            if (d.markEnded()) {
                domains.remove(d);
                d.qmp.close();
                swtpm.stop(d.runDir);
                HostFiles.deleteTree(d.runDir);
                jails.removeCgroup(d.uuid);
                records.publishMemory();
            }
        }
    }

    /** The VM has no QEMU (any more): it is {@code state}, without taps. */
    void halted(Ref<VM> vmRef, VmPowerState state) {
        if (state == VmPowerState.Suspended) taps.releaseAll(vmRef);
        else taps.detachAll(vmRef);
        records.stopped(vmRef, state);
    }

    /** Ends a QEMU whose guest is done (powered off, or gone while nobody watched) and records the VM halted. */
    void stop(Domain d) {
        d.expectExit();
        try { d.quit(); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); }
        afterExit(d);
    }
}

package org.flotilla.runtime.power;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.pool.Placement;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;

/** VM.start, pause, unpause, the shutdowns and reboots: what each asks of QEMU and the guest. */
public final class PowerOperations {
    private final Database db;
    private final CurrentOperations operations;
    private final Domains domains;
    private final VmStarter starter;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final SuspendImages suspendImages;
    private final Placement placement;
    private volatile Duration shutdownTimeout;

    public PowerOperations(Database db, CurrentOperations operations, Domains domains, VmStarter starter, PowerStateRecords records,
                    DomainTeardown teardown, SuspendImages suspendImages, Placement placement, Duration shutdownTimeout) {
        this.db = db;
        this.operations = operations;
        this.domains = domains;
        this.starter = starter;
        this.records = records;
        this.teardown = teardown;
        this.suspendImages = suspendImages;
        this.placement = placement;
        this.shutdownTimeout = shutdownTimeout;
    }

    /** How long clean_shutdown and clean_reboot wait for the guest to power off before failing with VM_SHUTDOWN_TIMEOUT. */
    public void setShutdownTimeout(Duration d) { shutdownTimeout = d; }

    /** VM.start ({@code host} null: on the host chosen for it) and VM.start_on. */
    public void start(Call c, Ref<VM> vmRef, boolean paused, VmOperations op, Ref<Host> host) {
        operations.run(c, vmRef, op, () -> {
            Placement.Boot boot = () -> {
                c.task().progress(0.1);
                starter.boot(vmRef, paused, null);
                c.task().progress(1.0);
            };
            if (host == null) placement.onChosenHost(c, vmRef, HostAllowedOperations.vm_start, boot);
            else placement.onNamedHost(c, vmRef, host, HostAllowedOperations.vm_start, boot);
        });
    }

    public void pause(Call c, Ref<VM> vmRef) {
        operations.run(c, vmRef, VmOperations.pause, () -> {
            domains.running(vmRef).qmp.execute("stop");
            records.power(vmRef, VmPowerState.Paused);
        });
    }

    public void unpause(Call c, Ref<VM> vmRef) {
        operations.run(c, vmRef, VmOperations.unpause, () -> {
            domains.running(vmRef).qmp.execute("cont");
            records.power(vmRef, VmPowerState.Running);
        });
    }

    /** Kills the QEMU; of a suspended VM, discards the image instead. */
    public void hardShutdown(Call c, Ref<VM> vmRef) {
        if (db.require(vmRef).get(VM.power_state) == VmPowerState.Suspended) {
            operations.run(c, vmRef, VmOperations.hard_shutdown, () -> suspendImages.discard(vmRef));
            return;
        }
        operations.run(c, vmRef, VmOperations.hard_shutdown, () -> {
            Domain d = domains.get(vmRef);
            if (d != null) {
                d.expectExit();
                d.kill();
                teardown.afterExit(d);
            } else {
                teardown.halted(vmRef, VmPowerState.Halted);
            }
        });
    }

    public void cleanShutdown(Call c, Ref<VM> vmRef) {
        operations.run(c, vmRef, VmOperations.clean_shutdown, () -> {
            Domain d = domains.running(vmRef);
            awaitGuestPowerOff(d, vmRef);
            d.expectExit();
            d.quit();
            teardown.afterExit(d);
        });
    }

    /** VM.shutdown: clean if the guest powers off in time, hard otherwise (and for a VM not running). */
    public void shutdown(Call c, Ref<VM> vmRef) {
        if (db.require(vmRef).get(VM.power_state) != VmPowerState.Running) { hardShutdown(c, vmRef); return; }
        operations.run(c, vmRef, VmOperations.shutdown, () -> {
            Domain d = domains.running(vmRef);
            try {
                awaitGuestPowerOff(d, vmRef);
            } catch (ApiError e) {
                if (!e.code().equals("VM_SHUTDOWN_TIMEOUT")) throw e;
            }
            d.expectExit();
            if (d.alive()) d.quit();
            teardown.afterExit(d);
        });
    }

    public void reboot(Call c, Ref<VM> vmRef, boolean clean) {
        operations.run(c, vmRef, clean ? VmOperations.clean_reboot : VmOperations.hard_reboot, () -> {
            Domain d = domains.running(vmRef);
            if (clean) awaitGuestPowerOff(d, vmRef);
            d.expectGuestShutdown(true);
            try {
                d.reboot();
            } finally {
                d.expectGuestShutdown(false);
            }
            records.rebooted(vmRef);
        });
    }

    /** ACPI power button, then wait for the guest to power off (QEMU stays, stopped: -no-shutdown). */
    private void awaitGuestPowerOff(Domain d, Ref<VM> vmRef) throws IOException {
        long mark = d.qmp.eventMark();
        d.expectGuestShutdown(true);
        try {
            d.qmp.execute("system_powerdown");
            try {
                d.qmp.awaitEvent(mark, "SHUTDOWN", e -> true, shutdownTimeout);
            } catch (TimeoutException e) {
                throw ApiError.of("VM_SHUTDOWN_TIMEOUT", vmRef.value(), Long.toString(shutdownTimeout.toSeconds()));
            } catch (QmpException e) {
                if (d.alive()) throw e; // QEMU went away: the VM is off either way
            }
        } finally {
            d.expectGuestShutdown(false);
        }
    }
}

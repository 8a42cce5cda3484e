package org.flotilla.runtime.power;

import org.flotilla.api.Alerts;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.Cls;
import org.flotilla.model.xenapi.enums.OnNormalExit;
import org.flotilla.qemu.QmpEvent;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.devices.VifHotplug;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.QemuLauncher;

/**
 * Follows a QEMU: the balloon's size (BALLOON_CHANGE), a guest's own power-off and reboot (SHUTDOWN, RESET)
 * per the VM's actions_after_shutdown / actions_after_reboot, its kernel panicking (GUEST_PANICKED, from the
 * pvpanic device) per actions_after_crash, NICs it let go of late (DEVICE_DELETED), and the process dying
 * under it — a crash of QEMU itself, which leaves the VM halted whatever actions_after_crash says.
 */
public final class GuestEvents {
    private static final System.Logger LOG = System.getLogger(GuestEvents.class.getName());

    private final Database db;
    private final Domains domains;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final Alerts alerts;
    private final CrashActions crashes;
    private final VifHotplug vifs;

    public GuestEvents(Database db, Domains domains, PowerStateRecords records, DomainTeardown teardown, Alerts alerts,
                CrashActions crashes, VifHotplug vifs) {
        this.db = db;
        this.domains = domains;
        this.records = records;
        this.teardown = teardown;
        this.alerts = alerts;
        this.crashes = crashes;
        this.vifs = vifs;
    }

    void watch(Domain d) {
        d.qmp.addListener(e -> onEvent(d, e));
        d.process.onExit().thenRun(() -> Thread.ofVirtual().start(() -> onExit(d)));
    }

    private void onEvent(Domain d, QmpEvent e) {
        if (domains.closed()) return;
        if (e.name().equals("BALLOON_CHANGE") && e.data().has("actual")) {
            records.memoryActual(d.vmRef, e.data().get("actual").asLong());
            return;
        }
        if (e.name().equals("DEVICE_DELETED") && e.dataText("device") != null) {
            // QMP calls must not run on the thread that delivers events
            String device = e.dataText("device");
            Thread.ofVirtual().start(() -> vifs.released(d, device));
            return;
        }
        // an operation of ours that powers the guest off or resets it handles that itself
        if (d.exitExpected() || d.guestShutdownExpected()) return;
        if (e.name().equals("GUEST_PANICKED")) {
            // the crash action may take the run directory with the console's log: the panic's words are kept here
            LOG.log(System.Logger.Level.WARNING, "the guest of VM " + d.uuid + " panicked; its console's last words: "
                    + HostFiles.tail(QemuCommand.serialLog(d.runDir)).replace("\r", "").replace("\n", " | "));
            Thread.ofVirtual().start(() -> crashes.crashed(d));
            return;
        }
        if (!"true".equals(e.dataText("guest"))) return;
        DbObject<VM> vm = db.get(d.vmRef);
        if (vm == null) return;
        switch (e.name()) {
            case "SHUTDOWN" -> Thread.ofVirtual().start(() -> {
                if (vm.get(VM.actions_after_shutdown) == OnNormalExit.restart) {
                    restartInPlace(d);
                } else {
                    teardown.stop(d);
                    alerts.raise("VM_SHUTDOWN", 5, Cls.VM, d.uuid, "VM '" + vm.get(VM.name_label) + "' shut down");
                }
            });
            case "RESET" -> Thread.ofVirtual().start(() -> {
                if (vm.get(VM.actions_after_reboot) == OnNormalExit.destroy) {
                    teardown.stop(d);
                } else {
                    records.rebooted(d.vmRef);
                    alerts.raise("VM_REBOOTED", 5, Cls.VM, d.uuid, "VM '" + vm.get(VM.name_label) + "' rebooted");
                }
            });
            default -> { }
        }
    }

    /** QEMU stays (-no-shutdown): a powered-off guest that is to restart is reset and continued. */
    private void restartInPlace(Domain d) {
        try {
            d.reboot();
            records.rebooted(d.vmRef);
        } catch (QmpException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot restart VM " + d.uuid + ": " + ex.getMessage());
        }
    }

    /** What befell a QEMU found at start while nobody watched it: its end, or a crash whose action never ran. */
    void settle(Domain d, boolean crashUnhandled) {
        if (!d.alive()) onExit(d);
        else if (crashUnhandled) Thread.ofVirtual().start(() -> crashes.crashed(d));
    }

    /** The QEMU exited: a crash, unless one of our operations ended it or its end is already handled. */
    private void onExit(Domain d) {
        if (domains.closed() || d.exitExpected() || d.hasEnded()) return;
        DbObject<VM> vm = db.get(d.vmRef);
        String name = vm == null ? d.uuid : vm.get(VM.name_label);
        // its run directory goes with it: what QEMU said as it died is kept here
        LOG.log(System.Logger.Level.WARNING, "QEMU " + d.pid + " of VM " + d.uuid + " exited unexpectedly: "
                + HostFiles.tail(QemuLauncher.log(d.runDir)));
        teardown.afterExit(d);
        alerts.raise("VM_CRASHED", 2, Cls.VM, d.uuid, "VM '" + name + "' crashed: its QEMU (pid " + d.pid + ") exited unexpectedly");
    }
}

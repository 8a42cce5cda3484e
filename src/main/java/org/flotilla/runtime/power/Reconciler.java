package org.flotilla.runtime.power;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.flotilla.api.Alerts;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.Cls;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.pool.VmHome;
import org.flotilla.pool.VmMemory;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.console.Consoles;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.DomainIds;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.vm.VmAllowedOperations;

/**
 * The host is the ground truth: at start, finds the QEMUs that run for this host (pid file + QMP socket in
 * each run dir), reattaches them, and corrects the database to match.
 */
public final class Reconciler {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());

    private final Database db;
    private final Ref<Host> hostRef;
    private final VmAllowedOperations ops;
    private final Domains domains;
    private final DomainIds domids;
    private final QemuFiles files;
    private final Consoles consoles;
    private final GuestEvents events;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final Alerts alerts;
    private final StrayProcesses strays;

    public Reconciler(Database db, Ref<Host> hostRef, VmAllowedOperations ops, Domains domains, DomainIds domids, QemuFiles files, Consoles consoles, GuestEvents events,
               PowerStateRecords records, DomainTeardown teardown, Alerts alerts, StrayProcesses strays) {
        this.db = db;
        this.hostRef = hostRef;
        this.ops = ops;
        this.domains = domains;
        this.domids = domids;
        this.files = files;
        this.consoles = consoles;
        this.events = events;
        this.records = records;
        this.teardown = teardown;
        this.alerts = alerts;
        this.strays = strays;
    }

    /**
     * Of the VMs whose home is this host ({@link VmHome}): those recorded running without a QEMU become Halted (with a VM_CRASHED alert), QEMUs of a VM recorded
     * Halted are adopted, QEMUs without a VM are killed. A swtpm lives and dies with its QEMU.
     */
    public void reconcile() {
        try {
            files.prepareRunRoot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (var dirs = Files.list(files.runRoot())) {
            for (Path dir : dirs.toList()) adopt(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + files.runRoot() + ": " + e);
        }
        strays.killAll();
        for (DbObject<VM> vm : db.all(VM.CLASS)) {
            if (Boolean.TRUE.equals(vm.get(VM.is_control_domain))) continue;
            Ref<VM> ref = vm.self(VM.CLASS);
            VmPowerState ps = vm.get(VM.power_state);
            // another host's VMs, and those another host is starting, are that host's to correct
            if (!VmHome.is(db, vm, hostRef) || domains.contains(ref)) continue;
            if (ps == VmPowerState.Running || ps == VmPowerState.Paused) {
                teardown.halted(ref, VmPowerState.Halted);
                alerts.raise("VM_CRASHED", 2, Cls.VM, vm.get(VM.uuid),
                        "VM '" + vm.get(VM.name_label) + "' was found not running when the host agent started");
            } else if (vm.get(VM.domid) != -1L) {
                // a start the daemon died in had already taken a domain id (and maybe made taps)
                teardown.halted(ref, ps);
            }
        }
    }

    /** Kills a QEMU that is not to be adopted, and forgets what it left in {@code dir}. */
    private void end(Domain d, Path dir) {
        d.expectExit();
        d.kill();
        strays.forget(dir);
    }

    private void adopt(Path dir) {
        String uuid = dir.getFileName().toString();
        long pid = HostFiles.readLong(QemuCommand.pidFile(dir));
        Optional<ProcessHandle> ph = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        boolean isQemu = ph.isPresent() && ph.get().isAlive() && HostFiles.cmdline(pid).contains(uuid);
        if (!isQemu) {
            strays.forget(dir);
            return;
        }
        ProcessHandle p = ph.get();
        Optional<Ref<VM>> vmRef = db.refByUuid(VM.CLASS, uuid);
        Qmp qmp;
        try {
            qmp = Qmp.connect(QemuCommand.qmpSocket(dir), Duration.ofSeconds(5), () -> !p.isAlive());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of " + uuid + " has no usable QMP: killing it");
            p.destroyForcibly();
            strays.forget(dir);
            return;
        }
        Domain d = new Domain(vmRef.orElse(null), uuid, dir, pid, p, qmp, (int) HostFiles.uidOf(pid));
        if (vmRef.isEmpty()) {
            end(d, dir);
            return;
        }
        String status;
        try {
            status = qmp.execute("query-status").path("status").asText("");
        } catch (QmpException e) {
            status = "";
        }
        if (status.equals("shutdown") || status.equals("internal-error") || status.isEmpty()) {
            // the guest powered off (or died) while nobody watched: it is halted
            domains.add(d);
            teardown.stop(d);
            return;
        }
        DbObject<VM> vm = db.require(d.vmRef);
        VmPowerState ps = vm.get(VM.power_state);
        // a panicked guest is stopped: preserved (recorded Paused), or crashed while nobody watched
        boolean panicked = status.equals("guest-panicked");
        boolean crashUnhandled = panicked && ps != VmPowerState.Paused;
        boolean consistent = (ps == VmPowerState.Running || ps == VmPowerState.Paused) && hostRef.equals(vm.get(VM.resident_on))
                && consoles.exist(d.vmRef);
        if (!consistent && (status.equals("prelaunch") || status.equals("inmigrate"))) {
            // a VM.start or VM.resume the daemon died in: never acknowledged, so undone — the VM stays as recorded
            end(d, dir);
            return;
        }
        if (!consistent && status.equals("postmigrate")) {
            // the source's half of a live migration that the daemon died in after the stream had gone: the VM runs
            // where the records say (or, if the destination never took it, where it will be found); never here again
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of VM " + uuid + " sent the VM away before this host agent started: ending it");
            try {
                teardown.letGo(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        Ref<Host> residentOn = vm.get(VM.resident_on);
        if (!consistent && (ps == VmPowerState.Running || ps == VmPowerState.Paused) && !residentOn.isNull() && !residentOn.equals(hostRef)) {
            // the destination's half of a live migration the daemon died in before the finish, the stream loaded
            // QEMU to QEMU all the same: the records say the VM runs on its source, so it never runs here
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of VM " + uuid + " took in a migration never finished here: ending it");
            end(d, dir);
            return;
        }
        if (consistent && ps == VmPowerState.Running && status.equals("postmigrate")) {
            // its memory streamed out (a checkpoint's, or a migration the records never gave away) and the daemon gone
            // before it ran on: the records say it runs here, so it does
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of VM " + uuid + " was left stopped after its memory was saved: running it on");
            try {
                qmp.execute("cont");
                status = "running";
            } catch (QmpException e) {
                LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of VM " + uuid + " does not run on: " + e.getMessage());
            }
        }
        domains.add(d);
        events.watch(d);
        boolean paused = status.equals("paused") || status.equals("prelaunch") || status.equals("postmigrate") || panicked;
        if (consistent) {
            VmPowerState want = paused ? VmPowerState.Paused : VmPowerState.Running;
            if (want != ps) ops.update(d.vmRef, VmAllowedOperations.changes().set(VM.power_state, want));
        } else {
            long domid = vm.get(VM.domid) instanceof Long l && l > 0 ? l : domids.next();
            records.running(d.vmRef, paused, VmMemory.overhead(vm.get(VM.memory_static_max)), domid);
        }
        events.settle(d, crashUnhandled);
    }
}

package org.flotilla.host.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.flotilla.api.Alerts;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.enums.Cls;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.vm.VmOperations;

/**
 * The host is the ground truth: at start, finds the QEMUs that run for this host (pid file + QMP socket in
 * each run dir), reattaches them, and corrects the database to match.
 */
final class Reconciler {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());

    private final Database db;
    private final String hostRef;
    private final VmOperations ops;
    private final CurrentOperations operations;
    private final Domains domains;
    private final DomainIds domids;
    private final QemuFiles files;
    private final Consoles consoles;
    private final GuestEvents events;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final HostMemory memory;
    private final Alerts alerts;
    private final Swtpm swtpm;
    private final Vtpms vtpms;
    private final CrashActions crashes;
    private final VmJails jails;

    Reconciler(Database db, String hostRef, VmOperations ops, CurrentOperations operations, Domains domains, DomainIds domids,
               QemuFiles files, Consoles consoles, GuestEvents events, PowerStateRecords records, DomainTeardown teardown,
               HostMemory memory, Alerts alerts, Swtpm swtpm, Vtpms vtpms, CrashActions crashes, VmJails jails) {
        this.jails = jails;
        this.db = db;
        this.hostRef = hostRef;
        this.ops = ops;
        this.operations = operations;
        this.domains = domains;
        this.domids = domids;
        this.files = files;
        this.consoles = consoles;
        this.events = events;
        this.records = records;
        this.teardown = teardown;
        this.memory = memory;
        this.alerts = alerts;
        this.swtpm = swtpm;
        this.vtpms = vtpms;
        this.crashes = crashes;
    }

    /**
     * VMs recorded running without a QEMU become Halted (with a VM_CRASHED alert), QEMUs of a VM recorded
     * Halted are adopted, QEMUs without a VM are killed. A swtpm lives and dies with its QEMU; the state of
     * VTPMs that are gone is removed.
     */
    void reconcile() {
        try {
            files.prepareRunRoot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        operations.forgetAll();
        try (var dirs = Files.list(files.runRoot())) {
            for (Path dir : dirs.toList()) adopt(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + files.runRoot() + ": " + e);
        }
        killStrays();
        jails.sweepCgroups(domains.all().stream().map(d -> d.uuid).collect(Collectors.toSet()));
        for (DbObject<?> vm : db.all("VM")) {
            if (Boolean.TRUE.equals(vm.get("is_control_domain"))) continue;
            String ps = vm.string("power_state");
            boolean here = hostRef.equals(vm.string("resident_on"));
            boolean unowned = (here || Refs.isNull(vm.string("resident_on"))) && !domains.contains(vm.ref());
            if (!unowned) continue;
            if (ps.equals("Running") || ps.equals("Paused")) {
                teardown.halted(vm.ref(), "Halted");
                alerts.raise("VM_CRASHED", 2, Cls.VM, vm.uuid(),
                        "VM '" + vm.string("name_label") + "' was found not running when the host agent started");
            } else if (!Long.valueOf(-1L).equals(vm.get("domid"))) {
                // a start the daemon died in had already taken a domain id (and maybe made taps)
                teardown.halted(vm.ref(), ps);
            }
        }
        ops.updateAll();
        memory.publish();
        vtpms.sweep();
    }

    private void adopt(Path dir) {
        String uuid = dir.getFileName().toString();
        long pid = HostFiles.readLong(QemuCommand.pidFile(dir));
        Optional<ProcessHandle> ph = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        boolean isQemu = ph.isPresent() && ph.get().isAlive() && HostFiles.cmdline(pid).contains(uuid);
        if (!isQemu) {
            forget(dir);
            return;
        }
        ProcessHandle p = ph.get();
        Optional<String> vmRef = db.refByUuid("VM", uuid);
        Qmp qmp;
        try {
            qmp = Qmp.connect(QemuCommand.qmpSocket(dir), Duration.ofSeconds(5), () -> !p.isAlive());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "QEMU " + pid + " of " + uuid + " has no usable QMP: killing it");
            p.destroyForcibly();
            forget(dir);
            return;
        }
        Domain d = new Domain(vmRef.orElse(null), uuid, dir, pid, p, qmp, (int) HostFiles.uidOf(pid));
        if (vmRef.isEmpty()) {
            d.expectExit = true;
            d.kill();
            forget(dir);
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
        DbObject<?> vm = db.require("VM", d.vmRef);
        String ps = vm.string("power_state");
        // a panicked guest is stopped: preserved (recorded Paused), or crashed while nobody watched
        boolean panicked = status.equals("guest-panicked");
        boolean crashUnhandled = panicked && !ps.equals("Paused");
        boolean consistent = (ps.equals("Running") || ps.equals("Paused")) && hostRef.equals(vm.string("resident_on"))
                && consoles.exist(d.vmRef);
        if (!consistent && (status.equals("prelaunch") || status.equals("inmigrate"))) {
            // a VM.start or VM.resume the daemon died in: never acknowledged, so undone — the VM stays as recorded
            d.expectExit = true;
            d.kill();
            forget(dir);
            return;
        }
        domains.add(d);
        events.watch(d);
        boolean paused = status.equals("paused") || status.equals("prelaunch") || panicked;
        if (consistent) {
            String want = paused ? "Paused" : "Running";
            if (!want.equals(ps)) ops.update(d.vmRef, Map.of("power_state", want));
        } else {
            long domid = vm.get("domid") instanceof Long l && l > 0 ? l : domids.next();
            records.running(d.vmRef, paused, HostMemory.overhead(vm.integer("memory_static_max")), domid);
        }
        if (!d.alive()) {
            events.onExit(d);
        } else if (crashUnhandled) {
            Thread.ofVirtual().start(() -> crashes.crashed(d));
        }
    }

    /**
     * Jailed processes of this host (chrooted into its jail root) that belong to no adopted VM — a daemon killed
     * between exec and the pid file leaves a QEMU that no run directory names, or a swtpm whose QEMU never came —
     * and QEMUs of an earlier, unjailed version that no run directory names.
     */
    private void killStrays() {
        String legacy = "-qmp unix:" + files.runRoot() + "/";
        Path jailRoot = realPath(jails.rootDir());
        var kept = new HashSet<Long>(domains.pids().values());
        for (Domain d : domains.all()) swtpm.process(d.runDir).ifPresent(p -> kept.add(p.pid()));
        ProcessHandle.allProcesses()
                .filter(p -> !kept.contains(p.pid()))
                .filter(p -> jailRoot.equals(HostFiles.rootOf(p.pid())) || HostFiles.cmdline(p.pid()).contains(legacy))
                .forEach(p -> {
                    LOG.log(System.Logger.Level.WARNING, "killing " + HostFiles.cmdline(p.pid()).split(" ")[0] + " " + p.pid()
                            + ": no VM of this host owns it");
                    p.destroyForcibly();
                });
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** A run dir without a QEMU: its swtpm, if any, ends too. */
    private void forget(Path dir) {
        swtpm.stop(dir);
        HostFiles.deleteTree(dir);
    }
}

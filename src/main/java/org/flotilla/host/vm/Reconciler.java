package org.flotilla.host.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.flotilla.api.Alerts;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
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

    Reconciler(Database db, String hostRef, VmOperations ops, CurrentOperations operations, Domains domains, DomainIds domids,
               QemuFiles files, Consoles consoles, GuestEvents events, PowerStateRecords records, DomainTeardown teardown,
               HostMemory memory, Alerts alerts) {
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
    }

    /**
     * VMs recorded running without a QEMU become Halted (with a VM_CRASHED alert), QEMUs of a VM recorded
     * Halted are adopted, QEMUs without a VM are killed.
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
        for (DbObject vm : db.all("VM")) {
            if (Boolean.TRUE.equals(vm.get("is_control_domain"))) continue;
            String ps = vm.string("power_state");
            boolean here = hostRef.equals(vm.string("resident_on"));
            if ((ps.equals("Running") || ps.equals("Paused")) && (here || Refs.isNull(vm.string("resident_on")))
                    && !domains.contains(vm.ref())) {
                teardown.halted(vm.ref(), "Halted");
                alerts.raise("VM_CRASHED", 2, "VM", vm.uuid(),
                        "VM '" + vm.string("name_label") + "' was found not running when the host agent started");
            }
        }
        ops.updateAll();
        memory.publish();
    }

    private void adopt(Path dir) {
        String uuid = dir.getFileName().toString();
        long pid = HostFiles.readLong(QemuCommand.pidFile(dir));
        Optional<ProcessHandle> ph = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        boolean isQemu = ph.isPresent() && ph.get().isAlive() && cmdline(pid).contains(uuid);
        if (!isQemu) {
            HostFiles.deleteTree(dir);
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
            HostFiles.deleteTree(dir);
            return;
        }
        Domain d = new Domain(vmRef.orElse(null), uuid, dir, pid, p, qmp);
        if (vmRef.isEmpty()) {
            d.expectExit = true;
            d.kill();
            HostFiles.deleteTree(dir);
            return;
        }
        String status;
        try {
            status = qmp.execute("query-status").path("status").asText("");
        } catch (QmpException e) {
            status = "";
        }
        if (status.equals("shutdown") || status.equals("guest-panicked") || status.equals("internal-error") || status.isEmpty()) {
            // the guest powered off (or died) while nobody watched: it is halted
            domains.add(d);
            teardown.stop(d);
            return;
        }
        domains.add(d);
        events.watch(d);
        boolean paused = status.equals("paused");
        DbObject vm = db.require("VM", d.vmRef);
        String ps = vm.string("power_state");
        boolean consistent = (ps.equals("Running") || ps.equals("Paused")) && hostRef.equals(vm.string("resident_on"))
                && consoles.exist(d.vmRef);
        if (consistent) {
            String want = paused ? "Paused" : "Running";
            if (!want.equals(ps)) ops.update(d.vmRef, Map.of("power_state", want));
        } else {
            long domid = vm.get("domid") instanceof Long l && l > 0 ? l : domids.next();
            records.running(d.vmRef, paused, HostMemory.overhead(vm.integer("memory_static_max")), domid);
        }
        if (!d.alive()) events.onExit(d);
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}

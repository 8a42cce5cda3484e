package org.flotilla.runtime.power;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.pool.BootChecks;
import org.flotilla.pool.DiskWriters;
import org.flotilla.pool.VmMemory;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.DomainIds;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostMemory;
import org.flotilla.runtime.launch.LaunchSpecs;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuLauncher;
import org.flotilla.runtime.launch.VcpuLimits;
import org.flotilla.runtime.launch.VifTaps;
import org.flotilla.vm.VmAllowedOperations;

/**
 * Boots a VM's QEMU on this host — for VM.start, or for VM.resume with the saved memory stream to load —
 * and records it running; on any failure the QEMU is gone again and the VM as it was.
 */
public final class VmStarter {
    private static final System.Logger LOG = System.getLogger(VmStarter.class.getName());
    private final Database db;
    private final VmAllowedOperations ops;
    private final Domains domains;
    private final DomainIds domids;
    private final HostMemory memory;
    private final VcpuLimits vcpus;
    private final QemuFiles files;
    private final LaunchSpecs specs;
    private final QemuLauncher launcher;
    private final VifTaps taps;
    private final GuestEvents events;
    private final PowerStateRecords records;
    private final DomainTeardown teardown;
    private final DiskWriters writers;

    public VmStarter(Database db, VmAllowedOperations ops, Domains domains, DomainIds domids, HostMemory memory, VcpuLimits vcpus,
              QemuFiles files, LaunchSpecs specs, QemuLauncher launcher, VifTaps taps, GuestEvents events,
              PowerStateRecords records, DomainTeardown teardown) {
        this.db = db;
        this.ops = ops;
        this.domains = domains;
        this.domids = domids;
        this.memory = memory;
        this.vcpus = vcpus;
        this.files = files;
        this.specs = specs;
        this.launcher = launcher;
        this.taps = taps;
        this.events = events;
        this.records = records;
        this.teardown = teardown;
        this.writers = new DiskWriters(db);
    }

    /** Starts QEMU for the VM (incoming: a migration stream to load, for resume) and records it running. */
    Domain boot(Ref<VM> vmRef, boolean paused, String incoming) throws IOException, InterruptedException {
        DbObject<VM> vm = db.require(vmRef);
        BootChecks.validate(vm);
        writers.assertFree(vmRef);
        long staticMax = vm.get(VM.memory_static_max);
        if (staticMax <= 0) throw ApiError.of("MEMORY_CONSTRAINT_VIOLATION", "memory_static_max must be positive");
        memory.reserve(staticMax);
        vcpus.check(vm);
        // the domain id first: the network names the VM's taps after it (vif<domid>.<device>)
        long domid = domids.next();
        // XAPI settles platform:secureboot=auto when the VM starts, and records what it chose
        ops.update(vmRef, VmAllowedOperations.changes().set(VM.domid, domid).set(VM.platform, specs.platformAtStart(vm)));
        try {
            return spawn(vmRef, paused, incoming, staticMax, domid);
        } catch (IOException | RuntimeException | InterruptedException e) {
            DbObject<VM> now = db.get(vmRef);
            if (now != null && !domains.contains(vmRef) && now.get(VM.domid) == domid) {
                taps.detachAll(vmRef);
                ops.update(vmRef, VmAllowedOperations.changes().set(VM.domid, -1L));
            }
            throw e;
        }
    }

    private Domain spawn(Ref<VM> vmRef, boolean paused, String incoming, long staticMax, long domid)
            throws IOException, InterruptedException {
        DbObject<VM> vm = db.require(vmRef);
        Domain d = launcher.launch(vmRef, specs.of(vm, incoming), domid, files.runDir(vm.get(VM.uuid)));
        try {
            if (incoming != null) awaitIncoming(d);
            domains.add(d);
            events.watch(d);
            if (!paused) d.qmp.execute("cont");
            long target = vm.get(VM.memory_target) > 0 ? vm.get(VM.memory_target) : vm.get(VM.memory_dynamic_max);
            if (target > 0 && target < staticMax) d.balloon(target);
            records.running(vmRef, paused, VmMemory.overhead(staticMax), domid);
            return d;
        } catch (IOException | RuntimeException | InterruptedException e) {
            d.expectExit();
            domains.remove(d);
            d.kill();
            // its run directory goes with it: what QEMU said is kept here
            LOG.log(System.Logger.Level.WARNING, "QEMU " + d.pid + " of VM " + d.uuid + " did not " + (incoming != null ? "resume" : "start")
                    + ": " + HostFiles.tail(QemuLauncher.log(d.runDir)));
            // a failed resume leaves the VM suspended (its image is still there); a failed start, halted
            teardown.afterExit(d, incoming != null ? VmPowerState.Suspended : VmPowerState.Halted);
            throw e;
        }
    }

    /** A QEMU started for a migration stream to come, and the domain id this host gave it. */
    public record Launched(Domain domain, long domid) {}

    /**
     * Starts the QEMU that is to receive a running VM from another host ({@code -incoming defer}), as VM.start
     * starts one, but records nothing: the VM stays the source's until {@link #arrived}. Followed as one of this
     * host's domains, yet not watched: its end before then is no crash of the VM. The disks of the VDIs in
     * {@code moved} are opened from the VDIs made for them here (Storage XenMotion).
     */
    public Launched launchIncoming(Ref<VM> vmRef, Map<Ref<VDI>, Ref<VDI>> moved) throws IOException, InterruptedException {
        DbObject<VM> vm = db.require(vmRef);
        BootChecks.validate(vm);
        memory.reserve(vm.get(VM.memory_static_max));
        vcpus.check(vm);
        long domid = domids.next();
        Domain d = launcher.launch(vmRef, specs.of(vm, "defer", moved), domid, files.runDir(vm.get(VM.uuid)));
        domains.add(d);
        return new Launched(d, domid);
    }

    /** The stream has arrived in {@code l}: the guest runs on here (unless {@code paused}) and the records say so. */
    public void arrived(Launched l, boolean paused) throws IOException {
        Domain d = l.domain();
        events.watch(d);
        if (!paused) d.qmp.execute("cont");
        records.running(d.vmRef, paused, VmMemory.overhead(db.require(d.vmRef).get(VM.memory_static_max)), l.domid());
    }

    /** Waits until QEMU has loaded the incoming stream (or never needed one). */
    private static void awaitIncoming(Domain d) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            String status = MigrationStatus.check(d.qmp, "loading the suspend image");
            if (status.equals("completed")) return;
            String run = d.qmp.execute("query-status").path("status").asText("");
            if (!run.equals("inmigrate") && !run.equals("prelaunch") && status.isEmpty()) return;
            if (System.nanoTime() > deadline) throw ApiError.internal("loading the suspend image timed out");
            Thread.sleep(20);
        }
    }
}

package org.flotilla.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Alerts;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.host.ThisHost;
import org.flotilla.jail.Cgroups;
import org.flotilla.jail.JailIds;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.pool.FreeMemory;
import org.flotilla.pool.Placement;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.console.Consoles;
import org.flotilla.runtime.devices.DeviceOperations;
import org.flotilla.runtime.devices.LiveDisks;
import org.flotilla.runtime.devices.VbdHotplug;
import org.flotilla.runtime.devices.VifHotplug;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.DomainCounters;
import org.flotilla.runtime.domain.DomainIds;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.GuestCounters;
import org.flotilla.runtime.domain.HostMemory;
import org.flotilla.runtime.domain.RuntimeConfig;
import org.flotilla.runtime.launch.LaunchSpecs;
import org.flotilla.runtime.launch.SecureBootReadiness;
import org.flotilla.model.xenapi.enums.VmSecurebootReadiness;
import org.flotilla.runtime.launch.NvramFiles;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.runtime.launch.QemuLauncher;
import org.flotilla.runtime.launch.Swtpm;
import org.flotilla.runtime.launch.VcpuLimits;
import org.flotilla.runtime.launch.VifBackend;
import org.flotilla.runtime.launch.VifTaps;
import org.flotilla.runtime.launch.VmJails;
import org.flotilla.runtime.launch.Vtpms;
import org.flotilla.runtime.migration.IncomingMigrations;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.runtime.migration.MigrationPeers;
import org.flotilla.runtime.migration.MigrationReport;
import org.flotilla.runtime.migration.OutgoingMigrations;
import org.flotilla.runtime.migration.OtherPoolArrivals;
import org.flotilla.runtime.migration.OtherPoolMotions;
import org.flotilla.runtime.migration.OtherPools;
import org.flotilla.runtime.migration.StorageMotions;
import org.flotilla.runtime.migration.VdiPoolMigrations;
import org.flotilla.runtime.migration.VmHistories;
import org.flotilla.runtime.power.CrashActions;
import org.flotilla.runtime.power.DomainTeardown;
import org.flotilla.runtime.power.GuestEvents;
import org.flotilla.runtime.power.PowerOperations;
import org.flotilla.runtime.power.PowerStateReset;
import org.flotilla.runtime.power.PowerStateRecords;
import org.flotilla.runtime.power.Reconciler;
import org.flotilla.runtime.power.StrayProcesses;
import org.flotilla.runtime.power.SuspendImages;
import org.flotilla.runtime.power.VmStarter;
import org.flotilla.storage.OnlineDisks;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmAllowedOperations;
import org.flotilla.vm.VmCloner;

/**
 * This host's VMs as QEMU processes — what xenopsd is to XAPI. Carries out the power operations and VBD and
 * VIF hot-plug through QMP, applies actions_after_crash when a guest panics, keeps the VM records true (power_state, resident_on, domid, metrics, consoles,
 * allowed/current operations) and treats the host as the ground truth: QEMU runs detached from the daemon
 * (own session, stdio to files, pid file and QMP socket in {@code <state>/run/<vm-uuid>/}), so a daemon
 * restart leaves VMs running; {@link #reconcile()} finds them again and corrects the database.
 *
 * <p>This class only wires the parts together and maps the API onto them: {@link PowerOperations},
 * {@link SuspendImages}, {@link VbdHotplug}, {@link VifHotplug}, {@link LiveDisks}, {@link GuestEvents},
 * {@link CrashActions}, {@link Reconciler}, {@link Vtpms}.
 */
public final class VmRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VmRuntime.class.getName());

    private final Database db;
    private final Ref<Host> hostRef;
    private final ThisHost here;
    private final RuntimeConfig cfg;
    private final VmAllowedOperations ops;
    private final Domains domains;
    private final VifTaps taps;
    private final HostMemory memory;
    private final CurrentOperations operations;
    private final PowerOperations power;
    private final SuspendImages suspendImages;
    private final VbdHotplug hotplug;
    private final VifHotplug vifHotplug;
    private final CrashActions crashes;
    private final LiveDisks liveDisks;
    private final Reconciler reconciler;
    private final Vtpms vtpms;
    private final SecureBootReadiness secureBoot;
    private final Consoles consoles;
    private final NvramFiles nvram;
    private final Placement placement;
    private final IncomingMigrations incoming;
    private final OutgoingMigrations outgoing;
    private final PowerStateReset resets;
    private final StorageMotions motions;
    private final VdiPoolMigrations vdiMigrations;
    private final OtherPoolMotions otherPools;
    private final OtherPoolArrivals fromOtherPools;

    public VmRuntime(Database db, Ref<Host> hostRef, Storage storage, Alerts alerts, RuntimeConfig cfg) {
        this.db = db;
        this.hostRef = hostRef;
        this.here = new ThisHost(hostRef);
        this.cfg = cfg;
        this.ops = new VmAllowedOperations(db);
        this.domains = new Domains(db);
        this.taps = new VifTaps(db);
        this.memory = new HostMemory(db, hostRef, domains);
        this.placement = new Placement(db, hostRef, FreeMemory.local(hostRef, memory::available, FreeMemory.published(db)));
        var domids = new DomainIds(db, hostRef, cfg.stateDir());
        var jails = new VmJails(cfg.stateDir(), db.require(hostRef).get(Host.uuid), JailIds.configured(), Cgroups.host(), cfg.accel().equals("kvm"));
        var files = new QemuFiles(cfg.stateDir());
        this.consoles = new Consoles(db, hostRef);
        var deviceOps = new DeviceOperations(db);
        var swtpm = new Swtpm(cfg.swtpm(), jails);
        this.vtpms = new Vtpms(db, cfg.stateDir());
        this.nvram = new NvramFiles(db, cfg.stateDir());
        var records = new PowerStateRecords(db, hostRef, domids, consoles, deviceOps, memory, nvram, vtpms);
        var teardown = new DomainTeardown(domains, taps, records, swtpm, jails);
        this.resets = PowerStateReset.of(db, hostRef, domains, records);
        this.crashes = new CrashActions(db, records, teardown, alerts, cfg.stateDir());
        this.vifHotplug = new VifHotplug(db, domains, taps, deviceOps, ops);
        var events = new GuestEvents(db, domains, records, teardown, alerts, crashes, vifHotplug);
        this.operations = new CurrentOperations(db);
        var specs = new LaunchSpecs(db, storage, cfg, taps, vtpms, nvram);
        this.secureBoot = new SecureBootReadiness(specs);
        var starter = new VmStarter(db, ops, domains, domids, memory, new VcpuLimits(db, hostRef, cfg.qemuBinary()), files, specs,
                new QemuLauncher(files, swtpm, jails), taps, events, records, teardown);
        this.suspendImages = new SuspendImages(db, ops, operations, domains, storage, files, starter, teardown, specs, placement, cfg.stateDir());
        this.power = new PowerOperations(db, operations, domains, starter, records, teardown, suspendImages, placement, cfg.shutdownTimeout());
        this.hotplug = new VbdHotplug(db, storage, domains, specs, deviceOps);
        this.liveDisks = new LiveDisks(db, domains);
        this.incoming = new IncomingMigrations(db, hostRef, storage, starter, teardown, () -> managementAddress(db, hostRef));
        this.motions = new StorageMotions(db);
        this.outgoing = new OutgoingMigrations(db, storage, hostRef, operations, domains, placement.checks(), teardown);
        this.vdiMigrations = new VdiPoolMigrations(db, here, operations, domains, storage);
        this.otherPools = new OtherPoolMotions(db, storage, hostRef, outgoing, taps::detachAll);
        this.fromOtherPools = new OtherPoolArrivals(db, storage, hostRef, placement.checks(), incoming);
        this.reconciler = new Reconciler(db, hostRef, ops, domains, domids, files, consoles, events, records, teardown, alerts,
                new StrayProcesses(domains, files, swtpm, jails));
    }

    public void setVifBackend(VifBackend backend) { taps.setBackend(backend); }

    /** The XenAPI's port here, for the locations of consoles made from now on, the control domain's among them. */
    public void servedOn(int apiPort) {
        consoles.servedOn(apiPort);
        consoles.ensureControlDomainConsole();
    }

    public RuntimeConfig config() { return cfg; }

    /** How long clean_shutdown and clean_reboot wait for the guest to power off before failing with VM_SHUTDOWN_TIMEOUT. */
    public void setShutdownTimeout(Duration d) { power.setShutdownTimeout(d); }

    /** How long a guest must have run for a crash to restart it rather than halt it (120 s unless changed). */
    public void setCrashRestartGuard(Duration d) { crashes.setRestartGuard(d); }

    /** What the storage may do to the disks of running VMs (online resize, snapshot). */
    public OnlineDisks onlineDisks() { return liveDisks; }

    /** The QEMUs running here, by VM. */
    public Domains domains() { return domains; }

    // ---- VM's power operations: each as the call's current operation on the VM ----------------------

    /** Where VMs may run, and the checks a host must pass to boot one; VMs start and resume through it. */
    public Placement placement() { return placement; }

    /** VM.start: on the host chosen for it, which must be this one until calls are forwarded (see {@link Placement}). */
    public void start(Call c, Ref<VM> vm, boolean paused) { power.start(c, vm, paused, VmOperations.start, null); }

    /** VM.start_on: on another host than this one, CANNOT_CONTACT_HOST once the checks pass (see {@link Placement}). */
    public void startOn(Call c, Ref<VM> vm, Ref<Host> host, boolean paused) {
        placement.assertNotEvacuating(host);
        power.start(c, vm, paused, VmOperations.start_on, host);
    }

    /** VM.pool_migrate: a VM running here moves, live, to {@code host}, which reaches its disks too. */
    public void poolMigrate(Call c, Ref<VM> vm, Ref<Host> host) { outgoing.migrate(c, requireHere(vm), host); }

    /**
     * VM.migrate_send: the VM moves to the host {@code dest} names, with the disks vdi_map moves — within the pool, or to a
     * host of another pool ({@link OtherPoolMotions}).
     */
    public Ref<VM> migrateSend(Call c, Ref<VM> vm, Map<String, String> dest, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap,
                               Map<String, String> options) {
        Ref<VM> here = requireHere(vm);
        // before another pool is asked anything; the operation's start checks again, with the others under way
        ops.assertValid(vm, VmOperations.migrate_send);
        if (otherPools.isOtherPool(dest)) return otherPools.migrate(c, here, dest, vdiMap, vifMap, options);
        Ref<Host> to = motions.destination(dest);
        StorageMotions.refuseCopy(options);
        var moves = motions.moves(vm, vdiMap, vifMap);
        if (db.require(vm).get(VM.power_state) == VmPowerState.Running) {
            outgoing.migrate(c, here, to, moves);
            return vm;
        }
        // halted or suspended: nothing runs, the disks (a suspended VM's memory with them) are copied
        if (moves.isEmpty()) {
            placement.checks().assertCanSeeSrs(vm, to, moves);
            return vm;
        }
        // a halted VM's disks are copied by a host that reads them
        Ref<Host> holder = motions.holder(moves, hostRef);
        if (holder != null && !holder.equals(hostRef)) throw ThisHost.belongsTo(holder);
        outgoing.moveHalted(c, vm, to, moves);
        return vm;
    }

    /** VM.assert_can_migrate: the first reason VM.migrate_send could not move the VM, within the pool or to another. */
    public void assertCanMigrate(Ref<VM> vm, Map<String, String> dest, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap,
                                 Map<String, String> options) {
        ops.assertValid(vm, VmOperations.migrate_send);
        if (otherPools.isOtherPool(dest)) {
            otherPools.assertCanMigrate(vm, dest, vdiMap, vifMap, options);
            return;
        }
        Ref<Host> to = motions.destination(dest);
        var moves = motions.moves(vm, vdiMap, vifMap);
        if (db.require(vm).get(VM.power_state) != VmPowerState.Running) {
            placement.checks().assertCanSeeSrs(vm, to, moves);
            return;
        }
        if (db.require(vm).get(VM.resident_on).equals(to)) throw ApiError.of("OPERATION_NOT_ALLOWED", "the VM already runs on host " + to.value());
        placement.checks().assertCanBootHere(vm, to, moves);
    }

    /** VDI.pool_migrate: on the host the disk's VM runs on, the disk moved live to another SR; returns its new VDI. */
    public Ref<VDI> vdiPoolMigrate(Call c, Ref<VDI> vdi, Ref<SR> sr) { return vdiMigrations.migrate(c, vdi, sr); }

    /** This host's side of VMs migrating here, for other hosts to call. */
    public MigrationPeer migrationTarget() { return incoming; }

    /** Where VMs migrating here come in (the host's address unless set). */
    public void listenForMigrationsOn(InetAddress address) { incoming.listenOn(address); }

    /** This host's side of VMs coming here from other pools, for their hosts to call. */
    public OtherPoolArrivals otherPoolArrivals() { return fromOtherPools; }

    /** How this host reaches hosts of other pools that VMs migrate to. */
    public void setOtherPools(OtherPools pools) { otherPools.setPools(pools); }


    /** How this host reaches the other hosts' side of a migration. */
    public void setMigrationPeers(MigrationPeers peers) { outgoing.setPeers(peers); }

    /** Where the performance histories of VMs are kept, that go with a VM that migrates, either way. */
    public void keepHistoriesIn(VmHistories histories) {
        outgoing.keepHistoriesIn(histories);
        incoming.keepHistoriesIn(histories);
    }

    /** How the VM's last migration away from here went, or null. */
    public MigrationReport lastMigration(Ref<VM> vm) { return outgoing.lastReport(vm); }

    private static InetAddress managementAddress(Database db, Ref<Host> host) {
        String address = db.require(host).get(Host.address);
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw ApiError.internal("this host's address " + address + " is not an IP address");
        }
    }

    public void pause(Call c, Ref<VM> vm) { power.pause(c, requireHere(vm)); }

    public void unpause(Call c, Ref<VM> vm) { power.unpause(c, requireHere(vm)); }

    public void cleanShutdown(Call c, Ref<VM> vm) { power.cleanShutdown(c, requireHere(vm)); }

    /** VM.shutdown: clean if the guest powers off in time, hard otherwise. */
    public void shutdown(Call c, Ref<VM> vm) { power.shutdown(c, requireHere(vm)); }

    public void hardShutdown(Call c, Ref<VM> vm) { power.hardShutdown(c, requireHere(vm)); }

    /** VM.power_state_reset: runs on whichever host is asked, since the VM's own host may be gone. */
    public void powerStateReset(Ref<VM> vm) { resets.reset(vm); }

    public void cleanReboot(Call c, Ref<VM> vm) { power.reboot(c, requireHere(vm), true); }

    public void hardReboot(Call c, Ref<VM> vm) { power.reboot(c, requireHere(vm), false); }

    public void suspend(Call c, Ref<VM> vm) { suspendImages.suspend(c, requireHere(vm)); }

    /**
     * VM.snapshot. A running VM with more than one disk stands still while they are taken (a few hundred milliseconds),
     * so that together they hold one instant, as a crash would have left them; one disk's snapshot is one instant alone.
     */
    public Ref<VM> snapshot(Call c, Ref<VM> vm, String name, List<Ref<VDI>> ignore, VmCloner cloner) {
        DbObject<VM> v = db.require(vm);
        Domain d = domains.get(vm);
        long disks = db.related(vm, VM.VBDs).stream().map(db::get)
                .filter(b -> b != null && b.get(VBD.currently_attached) && b.get(VBD.type) == VbdType.Disk && !ignore.contains(b.get(VBD.VDI)))
                .count();
        if (d == null || v.get(VM.power_state) != VmPowerState.Running || disks < 2) return cloner.snapshot(vm, name, ignore, c.task());
        try {
            d.qmp.execute("stop");
        } catch (QmpException e) {
            throw ApiError.internal("snapshot: the VM cannot stand still for it: " + e.getMessage());
        }
        try {
            return cloner.snapshot(vm, name, ignore, c.task());
        } finally {
            try {
                d.qmp.execute("cont");
            } catch (QmpException e) {
                LOG.log(System.Logger.Level.WARNING, "VM " + d.uuid + " does not run on after its snapshot: " + e.getMessage());
            }
        }
    }

    /** VM.checkpoint, where the VM runs (a suspended VM's anywhere): its snapshot taken by {@code cloner}. */
    public Ref<VM> checkpoint(Call c, Ref<VM> vm, String name, VmCloner cloner) {
        if (db.require(vm).get(VM.power_state) != VmPowerState.Suspended) requireHere(vm);
        return suspendImages.checkpoint(c, vm, name, cloner);
    }

    public void resume(Call c, Ref<VM> vm, boolean paused) { suspendImages.resume(c, vm, paused, VmOperations.resume, null); }

    /** VM.resume_on: as {@link #startOn}. */
    public void resumeOn(Call c, Ref<VM> vm, Ref<Host> host, boolean paused) {
        suspendImages.resume(c, vm, paused, VmOperations.resume_on, host);
    }

    /**
     * The VM, if this host may act on its domain: CANNOT_CONTACT_HOST naming the host it is resident on if that is
     * another (XAPI forwards such calls there; Flotilla does not forward yet).
     */
    public Ref<VM> requireHere(Ref<VM> vm) {
        here.requireResident(db.require(vm));
        return vm;
    }

    private Ref<VBD> vbdOfVmHere(Ref<VBD> vbd) {
        requireHere(db.require(vbd).get(VBD.VM));
        return vbd;
    }

    private Ref<VIF> vifOfVmHere(Ref<VIF> vif) {
        requireHere(db.require(vif).get(VIF.VM));
        return vif;
    }

    // ---- devices of running VMs --------------------------------------------------------------------

    /** VBD.plug: the disk added to its running VM. */
    public void plugVbd(Ref<VBD> vbd) { hotplug.plug(vbdOfVmHere(vbd)); }

    /** VBD.unplug and unplug_force: the disk taken out of its running VM. */
    public void unplugVbd(Ref<VBD> vbd, boolean force) { hotplug.unplug(vbdOfVmHere(vbd), force); }

    /** VBD.insert: a medium in the empty CD drive, live if the drive is plugged. */
    public void insertMedium(Ref<VBD> vbd, Ref<VDI> vdi) { hotplug.insert(vbdOfVmHere(vbd), vdi); }

    /** VBD.eject. */
    public void ejectMedium(Ref<VBD> vbd) { hotplug.eject(vbdOfVmHere(vbd)); }

    /** VIF.plug: the VIF's NIC added to its running VM. */
    public void plugVif(Call c, Ref<VIF> vif) { vifHotplug.plug(c, vifOfVmHere(vif)); }

    /** VIF.unplug and unplug_force: the NIC taken out of its running VM. */
    public void unplugVif(Call c, Ref<VIF> vif, boolean force) { vifHotplug.unplug(c, vifOfVmHere(vif), force); }

    /** The virtual TPMs of this host's VMs. */
    public Vtpms vtpms() { return vtpms; }

    /** VM.get_secureboot_readiness. */
    public VmSecurebootReadiness secureBootReadiness(Ref<VM> vm) { return secureBoot.of(db.require(vm)); }

    /** Removes the UEFI variable stores and vTPM state directories of VMs and VTPMs that no longer exist. */
    public void sweepOwnedFiles() {
        nvram.sweep();
        vtpms.sweep();
    }

    /** allowed_operations of every VM made true (at start, for records made by others). */
    public void refreshAllowedOperations() { ops.updateAll(); }

    /**
     * Reattaches the QEMUs that outlived the last daemon and corrects the database (see {@link Reconciler}): operations
     * under way when it stopped will not finish, and what VMs that are gone left behind goes.
     */
    public void reconcile() {
        operations.forgetAll(hostRef);
        reconciler.reconcile();
        operations.forgetScheduled(hostRef);
        ops.updateAll();
        memory.publish();
        sweepOwnedFiles();
    }

    /** What a new VM may have: the host's available memory minus what running VMs reserved but do not use yet. */
    public long availableMemory() { return memory.available(); }

    /** The QMP connection of a running VM (tests use it to act as the guest would, behind the API's back). */
    Qmp qmp(Ref<VM> vm) { return domains.running(vm).qmp; }

    /** Asks a running VM's balloon driver for a new memory size (see {@link Domain#balloon}); a lost QMP is logged. */
    public void balloon(Ref<VM> vm, long bytes) {
        Domain d = domains.get(vm);
        if (d == null) return;
        try {
            d.balloon(bytes);
        } catch (QmpException e) {
            System.getLogger(VmRuntime.class.getName()).log(System.Logger.Level.WARNING, "balloon of " + d.uuid + ": " + e.getMessage());
        }
    }

    /**
     * The counters of every VM running here, read over each QEMU's QMP connection, all VMs at once so that one
     * slow QEMU delays no other; a VM whose QEMU does not answer in time (stopping, migrating away, hung) is left
     * out. {@code statsSeconds}: how often guests are asked to report their memory.
     */
    public List<GuestCounters> counters(int statsSeconds) {
        var reads = new ArrayList<java.util.concurrent.Future<GuestCounters>>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Domain d : domains.all()) {
                if (d.exitExpected() || d.hasEnded() || !d.alive()) continue;
                reads.add(pool.submit(() -> DomainCounters.read(d, statsSeconds)));
            }
            var out = new ArrayList<GuestCounters>();
            for (var r : reads) {
                try {
                    out.add(r.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    // its QEMU is going away or did not answer within DomainCounters' timeout; the next sample will tell
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return out;
        }
    }

    /** Test support: the pids of the QEMUs this runtime follows. */
    public Map<Ref<VM>, Long> pids() { return domains.pids(); }

    /** Lets go of the QEMUs without stopping them: they outlive the daemon, and the next one reattaches. */
    @Override
    public void close() { domains.close(); }
}

package org.flotilla.runtime.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.pool.BootChecks;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmAllowedOperations;
import org.flotilla.vm.VmLifecycle;
import org.flotilla.vm.VmRecords;

/**
 * This host's side of a VM coming from another pool (VM.migrate_send across pools): the checks XAPI makes of the
 * destination (its host enabled, each SR a disk goes to there and plugged on this host, each network a VIF goes to),
 * then the VM's records made in this pool's database ({@link TravellingRecords}: halted, as XAPI's import leaves an
 * arriving VM) with VDIs made for its disks, and its QEMU waiting for it as within a pool ({@link IncomingMigrations}).
 * A finish leaves it running here (a halted one halted, a suspended one suspended on its memory's new VDI); an abort
 * removes what was made, records and VDIs.
 */
public final class OtherPoolArrivals {
    private static final System.Logger LOG = System.getLogger(OtherPoolArrivals.class.getName());

    private final Database db;
    private final Storage storage;
    private final Ref<Host> here;
    private final BootChecks checks;
    private final IncomingMigrations incoming;
    /** The VMs whose records were made here for an arrival not yet finished. */
    private final Map<Ref<VM>, Arrival> arriving = new ConcurrentHashMap<>();

    /** An arrival: its key in the VM's current_operations, and whether the VM comes suspended (halted until it has come). */
    private record Arrival(String key, boolean suspended) {}

    public OtherPoolArrivals(Database db, Storage storage, Ref<Host> here, BootChecks checks, IncomingMigrations incoming) {
        this.db = db;
        this.storage = storage;
        this.here = here;
        this.checks = checks;
        this.incoming = incoming;
        incoming.onDiscard(this::forget);
    }

    /** Fails with the first reason the VM {@code records} describe could not come here with its disks to {@code disks}' SRs. */
    public void check(String records, Map<String, String> disks) { check(TravellingRecords.read(db, records), srs(disks)); }

    private void check(TravellingRecords t, Map<Ref<VDI>, Ref<SR>> disks) {
        DbObject<Host> host = db.require(here);
        if (!Boolean.TRUE.equals(host.get(Host.enabled))) throw ApiError.of("HOST_DISABLED", here.value());
        DbObject<VM> same = t.sameVm(db);
        if (same != null) {
            VmPowerState state = same.get(VM.power_state);
            if (state != VmPowerState.Halted) {
                throw ApiError.of("VM_BAD_POWER_STATE", same.ref(), VmLifecycle.lower(VmPowerState.Halted), VmLifecycle.lower(state));
            }
            // XAPI would replace a halted VM of an older version; this one is left for the administrator
            throw ApiError.of("VM_TO_IMPORT_IS_NOT_NEWER_VERSION", same.ref(), Long.toString(same.get(VM.version)), Long.toString(t.version()));
        }
        for (Ref<?> o : t.objects()) if (db.exists(o)) throw ApiError.of("UUID_INVALID", o.cls().name(), o.value());
        var disksGoing = t.disks();
        for (var e : disks.entrySet()) {
            if (!disksGoing.containsKey(e.getKey())) throw ApiError.handleInvalid(e.getKey());
            Ref<SR> sr = e.getValue();
            if (!db.exists(sr)) throw ApiError.handleInvalid(sr);
            if (!pluggedHere(sr)) throw ApiError.of("VM_REQUIRES_SR", t.vm().value(), sr.value());
        }
        for (Ref<Network> n : t.networks()) if (!db.exists(n)) throw ApiError.handleInvalid(n);
    }

    /**
     * Makes the VM's records and disks here and, for a running VM, its QEMU waiting for the stream: the way in for it.
     * Nothing made is left if it fails. {@code certificate}: the one the source's QEMU shows.
     */
    public IncomingStream prepare(String records, Map<String, String> disks, String certificate) {
        TravellingRecords t = TravellingRecords.read(db, records);
        var to = srs(disks);
        check(t, to);
        Ref<VM> vm = t.vm();
        String key = "arrival-" + OneTimeToken.create().substring(0, 16);
        if (arriving.putIfAbsent(vm, new Arrival(key, t.powerState() == VmPowerState.Suspended)) != null) {
            throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), vm.value());
        }
        ArrivingDisks made;
        try {
            made = ArrivingDisks.make(storage, t.disks(), to);
        } catch (RuntimeException e) {
            arriving.remove(vm, key);
            throw e;
        }
        try {
            db.write(tx -> t.stage(tx, made.made(), key, VmOperations.migrate_send));
            if (t.powerState() == VmPowerState.Running) checks.assertCanBootHere(vm, here, Map.of());
            else checks.assertCanSeeSrs(vm, here, Map.of());
        } catch (RuntimeException e) {
            forget(vm);
            made.destroy();
            throw e;
        }
        try {
            return incoming.prepareImported(vm, made, t.powerState() == VmPowerState.Running, certificate);
        } catch (RuntimeException e) {
            forget(vm);
            throw e;
        }
    }

    /** The VM has all arrived: it runs here (a halted one stays halted), and may be acted on. Returns its domain id. */
    public long finish(String vm, String token) {
        Ref<VM> ref = VM.CLASS.ref(vm);
        long domid;
        try {
            domid = incoming.finish(vm, token);
        } catch (RuntimeException e) {
            forget(ref);
            throw e;
        }
        Arrival a = arriving.remove(ref);
        if (a != null) {
            db.write(tx -> {
                DbObject<VM> now = db.get(ref);
                if (now == null) return;
                var ops = new LinkedHashMap<>(now.get(VM.current_operations));
                ops.remove(a.key());
                var changes = VmAllowedOperations.changes().set(VM.current_operations, ops);
                // its memory has come with its disks, on the VDI its record names now: it resumes here
                if (a.suspended()) changes.set(VM.power_state, VmPowerState.Suspended);
                VmAllowedOperations.stage(tx, now, changes);
            });
        }
        return domid;
    }

    /** The history the VM's host in the other pool kept of it, once it runs here. */
    public void history(String vm, String history) { incoming.history(vm, history); }

    /** The migration failed on the way: what was made for it here goes, unless the VM runs here already (true). */
    public boolean abort(String vm, String token) {
        boolean arrived = incoming.abort(vm, token);
        if (!arrived) forget(VM.CLASS.ref(vm));
        return arrived;
    }

    /** Removes the records made for an arrival that did not finish (its VDIs are {@link ArrivingDisks}'). */
    private void forget(Ref<VM> vm) {
        if (arriving.remove(vm) == null) return;
        try {
            db.write(tx -> {
                DbObject<VM> now = db.get(vm);
                if (now != null && now.get(VM.power_state) == VmPowerState.Halted) VmRecords.stageForgetWithSnapshots(tx, now);
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove the records of VM " + vm.value() + " that did not arrive: " + e.getMessage());
        }
    }

    private boolean pluggedHere(Ref<SR> sr) {
        return db.referring(PBD.SR, sr).stream().anyMatch(p -> p.get(PBD.host).equals(here) && Boolean.TRUE.equals(p.get(PBD.currently_attached)));
    }

    private static Map<Ref<VDI>, Ref<SR>> srs(Map<String, String> disks) {
        var out = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        disks.forEach((vdi, sr) -> out.put(VDI.CLASS.ref(vdi), SR.CLASS.ref(sr)));
        return out;
    }

    /** The VMs on their way here from another pool (tests look). */
    public Set<Ref<VM>> expecting() { return Set.copyOf(arriving.keySet()); }
}

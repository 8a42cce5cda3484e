package org.flotilla.runtime.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.ThisHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmLifecycle;
import org.flotilla.vm.VmRecords;

/**
 * The source's side of VM.migrate_send to a host of another pool (XAPI's cross-pool Storage XenMotion): every disk
 * goes to the SR of that pool vdi_map gives it (VDI_NOT_IN_MAP otherwise) and every VIF to the network vif_map gives
 * it, or that of a VIF with the same MAC (VIF_NOT_IN_MAP otherwise, as XAPI's infer_vif_map); the destination checks
 * the rest (its host, SRs and networks) with the VM's records before anything is made. Then the VM moves as within the
 * pool ({@link OutgoingMigrations}), its records going with the first call, and once it runs there the VM's records
 * and its moved VDIs are destroyed here, as XAPI destroys them after a cross-pool move.
 */
public final class OtherPoolMotions {
    private static final System.Logger LOG = System.getLogger(OtherPoolMotions.class.getName());

    private final Database db;
    private final Storage storage;
    private final OutgoingMigrations outgoing;
    private final Consumer<Ref<VM>> releaseTaps;
    private final Ref<Host> here;
    private volatile OtherPools pools = OtherPools.NONE;

    public OtherPoolMotions(Database db, Storage storage, Ref<Host> here, OutgoingMigrations outgoing, Consumer<Ref<VM>> releaseTaps) {
        this.db = db;
        this.here = here;
        this.storage = storage;
        this.outgoing = outgoing;
        this.releaseTaps = releaseTaps;
    }

    public void setPools(OtherPools pools) { this.pools = pools; }

    /** Whether {@code dest} names a host this pool does not have, and says how to reach it in its own. */
    public boolean isOtherPool(Map<String, String> dest) {
        String host = dest.get(StorageMotions.HOST);
        return host != null && !db.exists(Host.CLASS.ref(host)) && OtherPoolDestination.describes(dest);
    }

    /** What a migration to another pool takes: where, which disks go to which SR there, and the VM's records. */
    private record Plan(Ref<VM> vm, OtherPoolDestination to, Map<Ref<VDI>, Ref<SR>> moves, String records) {
        Map<String, String> disks() {
            var out = new LinkedHashMap<String, String>();
            moves.forEach((vdi, sr) -> out.put(vdi.value(), sr.value()));
            return out;
        }
    }

    /** VM.assert_can_migrate to another pool. */
    public void assertCanMigrate(Ref<VM> vm, Map<String, String> dest, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap,
                                 Map<String, String> options) {
        Plan p = plan(vm, dest, vdiMap, vifMap, options);
        pools.check(p.to(), p.records(), p.disks());
    }

    /** VM.migrate_send to another pool; returns the VM there (its reference is the same). */
    public Ref<VM> migrate(Call c, Ref<VM> vm, Map<String, String> dest, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap,
                           Map<String, String> options) {
        Plan p = plan(vm, dest, vdiMap, vifMap, options);
        // halted or suspended: nothing runs, the disks (a suspended VM's memory with them) are copied
        boolean halted = db.require(vm).get(VM.power_state) != VmPowerState.Running;
        if (halted) {
            // a halted VM's disks are copied by a host that reads them
            Ref<Host> holder = new StorageMotions(db).holder(p.moves(), here);
            if (holder != null && !holder.equals(here)) throw ThisHost.belongsTo(holder);
        }
        pools.check(p.to(), p.records(), p.disks());
        MigrationPeer peer = pools.peer(p.to(), p.records());
        if (isCopy(options)) {
            // a copy: the VM there is another, named so in the calls there; nothing here goes
            Ref<VM> copy = TravellingRecords.vmOf(p.records());
            outgoing.moveHaltedToOtherPool(c, vm, p.to().host(), p.moves(), new CopyPeer(peer, copy.value()), () -> { });
            return copy;
        }
        Runnable left = () -> leave(vm, p.moves());
        if (halted) outgoing.moveHaltedToOtherPool(c, vm, p.to().host(), p.moves(), peer, left);
        else outgoing.migrateToOtherPool(c, vm, p.to().host(), p.moves(), peer, left);
        return vm;
    }

    private static boolean isCopy(Map<String, String> options) {
        return Boolean.parseBoolean(options.getOrDefault("copy", "false").strip());
    }

    /** The destination's side of a copy, which knows the VM by the copy's reference. */
    private record CopyPeer(MigrationPeer peer, String copy) implements MigrationPeer {
        @Override
        public IncomingStream prepare(String vm, Map<String, String> disks, String certificate) { return peer.prepare(copy, disks, certificate); }

        @Override
        public long finish(String vm, String token) { return peer.finish(copy, token); }

        @Override
        public boolean abort(String vm, String token) { return peer.abort(copy, token); }

        @Override
        public void history(String vm, String history) { peer.history(copy, history); }
    }

    private Plan plan(Ref<VM> vm, Map<String, String> dest, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap,
                      Map<String, String> options) {
        OtherPoolDestination to = OtherPoolDestination.of(dest);
        DbObject<VM> v = db.require(vm);
        VmPowerState state = v.get(VM.power_state);
        // XAPI copies only a halted VM across pools
        if (isCopy(options) && state != VmPowerState.Halted) {
            throw ApiError.of("VM_BAD_POWER_STATE", vm.value(), VmLifecycle.lower(VmPowerState.Halted), VmLifecycle.lower(state));
        }
        if (state == VmPowerState.Paused) {
            throw ApiError.of("VM_BAD_POWER_STATE", vm.value(), VmLifecycle.lower(VmPowerState.Running), VmLifecycle.lower(state));
        }
        var moves = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) {
            if (!StorageMotions.movesDisk(b)) continue;
            Ref<VDI> vdi = b.get(VBD.VDI);
            Ref<SR> sr = vdiMap.get(vdi);
            if (sr == null) throw ApiError.of("VDI_NOT_IN_MAP", vdi.value());
            moves.put(vdi, sr);
        }
        moves.putAll(new StorageMotions(db).snapshotDisks(vm, vdiMap, true));
        String records = TravellingRecords.write(db, vm, moves.keySet(), networks(vm, vifMap));
        return new Plan(vm, to, moves, isCopy(options) ? TravellingRecords.asCopy(records) : records);
    }

    /** Each VIF of the VM with the network of the other pool it goes to: mapped, or mapped for a VIF of the same MAC. */
    private Map<Ref<VIF>, Ref<Network>> networks(Ref<VM> vm, Map<Ref<VIF>, Ref<Network>> vifMap) {
        var byMac = new LinkedHashMap<String, Ref<Network>>();
        vifMap.forEach((vif, net) -> {
            DbObject<VIF> known = db.get(vif);
            if (known != null) byMac.putIfAbsent(known.get(VIF.MAC), net);
        });
        var out = new LinkedHashMap<Ref<VIF>, Ref<Network>>();
        for (DbObject<VIF> vif : VmRecords.withSnapshots(db, vm).stream().flatMap(v -> db.referring(VIF.VM, v).stream()).toList()) {
            Ref<VIF> ref = vif.self(VIF.CLASS);
            Ref<Network> net = vifMap.containsKey(ref) ? vifMap.get(ref) : byMac.get(vif.get(VIF.MAC));
            if (net == null) throw ApiError.of("VIF_NOT_IN_MAP", ref.value());
            out.put(ref, net);
        }
        return out;
    }

    /** The VM runs in the other pool: its records go from this one, and the VDIs it left. */
    private void leave(Ref<VM> vm, Map<Ref<VDI>, Ref<SR>> moves) {
        releaseTaps.accept(vm);
        db.write(tx -> {
            DbObject<VM> now = db.get(vm);
            if (now != null) VmRecords.stageForgetWithSnapshots(tx, now);
        });
        for (Ref<VDI> vdi : moves.keySet()) {
            try {
                storage.destroyVdiWhereItBelongs(vdi);
            } catch (RuntimeException e) {
                // the VM has moved all the same: what stays is a disk no VM uses, for the administrator to remove
                LOG.log(System.Logger.Level.WARNING, "VM " + vm.value() + " moved to another pool, but its former VDI " + vdi.value()
                        + " could not be destroyed: " + e.getMessage());
            }
        }
    }
}

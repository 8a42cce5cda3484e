package org.flotilla.runtime.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.vm.VmLifecycle;

/**
 * What VM.migrate_send and VM.assert_can_migrate read from their arguments, as XAPI reads them: the destination
 * host named by the map host.migrate_receive returned, and which of the VM's disks move where. Within the pool every
 * VDI of the VM's disks must be in vdi_map (XAPI's check_vdi_map: VDI_NOT_IN_MAP), one mapped to its own SR stays
 * where it is, and VIFs cannot be mapped (they stay on their networks).
 */
public final class StorageMotions {
    /** The key of host.migrate_receive's map that names the destination host, as XAPI's Xapi_vm_migrate._host. */
    public static final String HOST = "host";

    private final Database db;

    public StorageMotions(Database db) { this.db = db; }

    /**
     * The destination host of this pool named by {@code dest} (a host of another pool is {@link OtherPoolMotions}'s):
     * HANDLE_INVALID for a host that is neither.
     */
    public Ref<Host> destination(Map<String, String> dest) {
        String host = dest.get(HOST);
        if (host == null || host.isBlank()) throw ApiError.of("INVALID_VALUE", "dest", dest.toString());
        Ref<Host> ref = Host.CLASS.ref(host);
        if (!db.exists(ref)) throw ApiError.handleInvalid(ref);
        return ref;
    }

    /** XAPI's migrate_send refuses options:copy=true within a pool (the VM would stay where it is, copied). */
    public static void refuseCopy(Map<String, String> options) {
        if (Boolean.parseBoolean(options.getOrDefault("copy", "false").strip())) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "Copy mode is disallowed on intra pool storage migration, try efficient alternatives, for example, VM.copy/clone.");
        }
    }

    /** The VM's VDIs that move, each with the SR it goes to. */
    public Map<Ref<VDI>, Ref<SR>> moves(Ref<VM> vmRef, Map<Ref<VDI>, Ref<SR>> vdiMap, Map<Ref<VIF>, Ref<Network>> vifMap) {
        DbObject<VM> vm = db.require(vmRef);
        if (!vifMap.isEmpty()) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "VIF mapping is not allowed for intra-pool migration -all VIFs must be on the same network");
        }
        VmPowerState state = vm.get(VM.power_state);
        if (state == VmPowerState.Paused) {
            throw ApiError.of("VM_BAD_POWER_STATE", vmRef.value(), VmLifecycle.lower(VmPowerState.Running), VmLifecycle.lower(state));
        }
        var moves = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        for (DbObject<VBD> b : db.referring(VBD.VM, vmRef)) {
            if (!movesDisk(b)) continue;
            Ref<VDI> vdi = b.get(VBD.VDI);
            Ref<SR> to = vdiMap.get(vdi);
            if (to == null) throw ApiError.of("VDI_NOT_IN_MAP", vdi.value());
            if (!db.exists(to)) throw ApiError.handleInvalid(to);
            if (to.equals(db.require(vdi).get(VDI.SR))) continue;
            // the copy is one image: the layers that hold the changed blocks would stay behind (XAPI: no mirror with CBT)
            if (db.require(vdi).get(VDI.cbt_enabled)) throw ApiError.of("VDI_CBT_ENABLED", vdi.value());
            moves.put(vdi, to);
        }
        moves.putAll(snapshotDisks(vmRef, vdiMap, false));
        return moves;
    }

    /**
     * The disks the VM's snapshots take along, as XAPI's migrate_send copies them (whole, unmirrored: nothing writes
     * them): each snapshot's disk to the SR vdi_map gives it, or else to that of the disk it is a snapshot of; a
     * checkpoint's memory (and a suspended VM's own) to the SR vdi_map gives it, or else to that of the VM's first
     * disk. One already in its SR stays. {@code required} (across pools): VDI_NOT_IN_MAP for one with no SR to go to;
     * within the pool it stays.
     */
    public Map<Ref<VDI>, Ref<SR>> snapshotDisks(Ref<VM> vm, Map<Ref<VDI>, Ref<SR>> vdiMap, boolean required) {
        Ref<SR> first = db.referring(VBD.VM, vm).stream().filter(StorageMotions::movesDisk).map(b -> vdiMap.get(b.get(VBD.VDI)))
                .filter(Objects::nonNull).findFirst().orElse(null);
        var out = new LinkedHashMap<Ref<VDI>, Ref<SR>>();
        // a suspended VM's own memory goes as a checkpoint's does
        DbObject<VM> self = db.require(vm);
        if (self.get(VM.power_state) == VmPowerState.Suspended) memoryGoes(out, self.get(VM.suspend_VDI), vdiMap, first, required);
        for (Ref<VM> snapshot : db.related(vm, VM.snapshots)) {
            for (DbObject<VBD> b : db.referring(VBD.VM, snapshot)) {
                if (!movesDisk(b)) continue;
                Ref<VDI> vdi = b.get(VBD.VDI);
                goTo(out, vdi, vdiMap.getOrDefault(vdi, vdiMap.get(db.require(vdi).get(VDI.snapshot_of))), required);
            }
            memoryGoes(out, db.require(snapshot).get(VM.suspend_VDI), vdiMap, first, required);
        }
        return out;
    }

    /** A VM's memory image, if it has one: to the SR vdi_map gives it, or else to {@code first} (its first disk's). */
    private void memoryGoes(Map<Ref<VDI>, Ref<SR>> out, Ref<VDI> memory, Map<Ref<VDI>, Ref<SR>> vdiMap, Ref<SR> first, boolean required) {
        if (!memory.isNull() && db.exists(memory)) goTo(out, memory, vdiMap.getOrDefault(memory, first), required);
    }

    private void goTo(Map<Ref<VDI>, Ref<SR>> out, Ref<VDI> vdi, Ref<SR> sr, boolean required) {
        if (sr == null && required) throw ApiError.of("VDI_NOT_IN_MAP", vdi.value());
        if (sr != null && !sr.equals(db.require(vdi).get(VDI.SR))) out.put(vdi, sr);
    }

    /** Whether the VBD's disk moves with its VM: CD drives keep their (ISO library's) disc, as XAPI's vdi_filter leaves them out. */
    static boolean movesDisk(DbObject<VBD> b) {
        return !Boolean.TRUE.equals(b.get(VBD.empty)) && !b.get(VBD.VDI).isNull() && b.get(VBD.type) != VbdType.CD;
    }

    /**
     * The host that copies a halted VM's moving disks: one that has the SRs they are on plugged, this one if it has;
     * null if none has.
     */
    public Ref<Host> holder(Map<Ref<VDI>, Ref<SR>> moves, Ref<Host> here) {
        Ref<Host> found = null;
        for (DbObject<PBD> p : db.all(PBD.CLASS)) {
            if (!Boolean.TRUE.equals(p.get(PBD.currently_attached))) continue;
            Ref<Host> h = p.get(PBD.host);
            boolean all = moves.keySet().stream().allMatch(v -> plugged(db.require(v).get(VDI.SR), h));
            if (all && h.equals(here)) return here;
            if (all && found == null) found = h;
        }
        return found;
    }

    private boolean plugged(Ref<SR> sr, Ref<Host> host) {
        return db.referring(PBD.SR, sr).stream().anyMatch(p -> p.get(PBD.host).equals(host) && Boolean.TRUE.equals(p.get(PBD.currently_attached)));
    }
}

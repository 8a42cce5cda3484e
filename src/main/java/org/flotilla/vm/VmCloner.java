package org.flotilla.vm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.flotilla.api.Refs;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Member;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Secret;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VBD_metrics;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VIF_metrics;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VMPP;
import org.flotilla.model.xenapi.VMSS;
import org.flotilla.model.xenapi.VM_appliance;
import org.flotilla.model.xenapi.VM_guest_metrics;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.model.ClassDef;
import org.flotilla.model.xenapi.Task;
import org.flotilla.storage.Storage;

/**
 * VM.clone, VM.copy, VM.snapshot, VM.revert and VM.provision, as XAPI's xapi_vm_clone.ml,
 * xapi_vm_snapshot.ml and xapi_templates.ml do them: disks first (through the storage subsystem, undone
 * if a later step fails), then every record of the new VM in one transaction.
 */
public final class VmCloner {
    /** other_config keys of templates (xapi_templates.ml, Xapi_globs). */
    static final String POSTINSTALL_KEY = "postinstall";
    static final String BASE_TEMPLATE_NAME = "base_template_name";
    /** VBD other_config key: the VM owns the disk (Constants.owner_key). */
    static final String OWNER_KEY = "owner";
    /** snapshot_info: the power state the VM had when the snapshot was taken (Xen Orchestra resumes a VM reverted to a running one). */
    static final String POWER_STATE_AT_SNAPSHOT = "power-state-at-snapshot";
    /** SR content_type of ISO libraries, which hold no VM's disks. */
    private static final String ISO_CONTENT = "iso";

    private enum DiskOp {
        CLONE(VmOperations.clone), COPY(VmOperations.copy), SNAPSHOT(VmOperations.snapshot), CHECKPOINT(VmOperations.checkpoint);

        final VmOperations operation;

        DiskOp(VmOperations operation) { this.operation = operation; }
    }

    private final Database db;
    private final Storage storage;
    private final VmAllowedOperations ops;
    private final VmRecords vms;
    private final VbdRecords vbds;

    public VmCloner(Database db, Storage storage, VmAllowedOperations ops, VmRecords vms, VbdRecords vbds) {
        this.db = db;
        this.storage = storage;
        this.ops = ops;
        this.vms = vms;
        this.vbds = vbds;
    }

    /** VM.clone: disks cloned as the storage can (copy on write). */
    public Ref<VM> cloneVm(Ref<VM> vm, String newName, TaskContext task) { return cloneVm(vm, newName, DiskOp.CLONE, null, List.of(), null, task); }

    /** VM.copy: full copies of the disks, on {@code sr} or (OpaqueRef:NULL) each beside its original. */
    public Ref<VM> copy(Ref<VM> vm, String newName, Ref<SR> sr, TaskContext task) {
        if (!sr.isNull() && ISO_CONTENT.equals(db.require(sr).get(SR.content_type))) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "Cannot copy a VM's disks to an ISO SR");
        }
        return cloneVm(vm, newName, DiskOp.COPY, sr.isNull() ? null : sr, List.of(), null, task);
    }

    /** VM.snapshot: the disks' snapshots, but those of {@code ignoreVdis}. */
    public Ref<VM> snapshot(Ref<VM> vm, String newName, List<Ref<VDI>> ignoreVdis, TaskContext task) {
        return cloneVm(vm, newName, DiskOp.SNAPSHOT, null, ignoreVdis, null, task);
    }

    /**
     * VM.checkpoint's snapshot: the disks' snapshots, then the VM's memory as {@code memory} saves it, a suspended
     * snapshot of the VM. The caller keeps the VM still from the first disk to the memory.
     */
    public Ref<VM> checkpoint(Ref<VM> vm, String newName, MemoryImage memory, TaskContext task) {
        return cloneVm(vm, newName, DiskOp.CHECKPOINT, null, List.of(), memory, task);
    }

    /** A checkpoint's memory: a suspend VDI made once the disks are snapshotted. */
    @FunctionalInterface
    public interface MemoryImage {
        Ref<VDI> save();
    }

    private record NewDisk(DbObject<VBD> vbd, Ref<VDI> vdi, boolean delete) {}

    /** A task's progress from {@code from} to {@code to} as a sub-operation reports 0..1. */
    private static TaskContext slice(TaskContext task, double from, double to) {
        return new TaskContext() {
            @Override public Ref<Task> ref() { return task.ref(); }
            @Override public void progress(double f) { task.progress(from + (to - from) * Math.max(0, Math.min(1, f))); }
            @Override public void checkCancelled() { task.checkCancelled(); }
        };
    }

    /** The disks of the new VM: clones, full copies or snapshots of the VDIs; CDs shared, empty drives empty. */
    private List<NewDisk> disks(List<DbObject<VBD>> vbdList, DiskOp op, Ref<SR> sr, TaskContext task, double upTo) {
        long total = 0;
        for (DbObject<VBD> b : vbdList) total += size(b);
        var out = new ArrayList<NewDisk>();
        long done = 0;
        try {
            for (DbObject<VBD> b : vbdList) {
                task.checkCancelled();
                long s = size(b);
                double from = total == 0 ? 0 : upTo * done / total;
                double to = total == 0 ? 0 : upTo * (done + s) / total;
                Ref<VDI> vdi = b.get(VBD.VDI);
                if (b.get(VBD.empty)) {
                    out.add(new NewDisk(b, VDI.CLASS.nullRef(), false));
                } else if (b.get(VBD.type) == VbdType.CD) {
                    out.add(new NewDisk(b, vdi, false));
                } else {
                    Ref<VDI> copy = switch (op) {
                        case CLONE -> storage.cloneVdi(vdi);
                        case SNAPSHOT, CHECKPOINT -> storage.snapshotVdi(vdi);
                        case COPY -> storage.copyVdi(vdi, sr != null ? sr : db.require(vdi).get(VDI.SR),
                                VDI.CLASS.nullRef(), slice(task, from, to));
                    };
                    out.add(new NewDisk(b, copy, true));
                }
                done += s;
                task.progress(to);
            }
            return out;
        } catch (RuntimeException e) {
            deleteDisks(out);
            throw e;
        }
    }

    private long size(DbObject<VBD> vbd) {
        DbObject<VDI> vdi = db.get(vbd.get(VBD.VDI));
        return vdi == null || vbd.get(VBD.empty) ? 0 : vdi.get(VDI.virtual_size);
    }

    private void deleteDisks(List<NewDisk> disks) {
        for (NewDisk d : disks) if (d.delete()) destroyQuietly(d.vdi());
    }

    private void destroyQuietly(Ref<VDI> vdi) {
        try {
            storage.destroyVdi(vdi);
        } catch (RuntimeException ignored) {
            // best effort, as XAPI's delete_disks
        }
    }

    /** VM.clone / VM.copy / VM.snapshot / VM.checkpoint (xapi_vm_clone.clone); {@code memory} only for a checkpoint. */
    private Ref<VM> cloneVm(Ref<VM> vmRef, String newName, DiskOp op, Ref<SR> sr, List<Ref<VDI>> ignoreVdis, MemoryImage memory,
                            TaskContext task) {
        ops.require(db.require(vmRef), op.operation);
        task.progress(0);
        boolean snapshot = op == DiskOp.SNAPSHOT || op == DiskOp.CHECKPOINT;
        var vbdList = new ArrayList<DbObject<VBD>>();
        for (Ref<VBD> b : db.related(vmRef, VM.VBDs)) {
            DbObject<VBD> vbd = db.get(b);
            if (vbd != null && !(snapshot && ignoreVdis.contains(vbd.get(VBD.VDI)))) vbdList.add(vbd);
        }
        List<NewDisk> disks = disks(vbdList, op, sr, task, memory == null ? 0.9 : 0.5);
        Ref<VDI> image = VDI.CLASS.nullRef();
        try {
            if (memory != null) image = memory.save();
            task.progress(0.9);
            Ref<VM> ref = Refs.newRef(VM.CLASS);
            Ref<VDI> memoryImage = image;
            db.write(tx -> {
                DbObject<VM> src = db.require(vmRef);
                Rec<VM> f = newVmRecord(tx, src, newName, snapshot);
                // XAPI's checkpoint: a suspended snapshot, its memory the VM's at the instant its disks were taken
                if (memory != null) {
                    f.set(VM.power_state, VmPowerState.Suspended).set(VM.suspend_VDI, memoryImage)
                     .set(VM.snapshot_info, Map.of(POWER_STATE_AT_SNAPSHOT, src.get(VM.power_state).wire()));
                }
                f.set(VM.allowed_operations, ops.allowed(Records.unsaved(ref, f)));
                tx.put(ref, f);
                if (snapshot) tx.set(vmRef, VM.parent, ref);
                for (NewDisk d : disks) {
                    Ref<VBD> vbd = VbdRecords.copy(tx, d.vbd(), ref, d.vdi(), memory != null);
                    if (d.vbd().get(VBD.type) == VbdType.Disk) {
                        var oc = new LinkedHashMap<>(d.vbd().get(VBD.other_config));
                        if (!oc.containsKey(OWNER_KEY)) {
                            oc.put(OWNER_KEY, "");
                            tx.set(vbd, VBD.other_config, Collections.unmodifiableMap(oc));
                        }
                    }
                }
                for (Ref<VIF> vif : db.related(vmRef, VM.VIFs)) copyVif(tx, db.require(vif), ref, snapshot, memory != null);
                for (Ref<VTPM> vtpm : db.related(vmRef, VM.VTPMs)) copyVtpm(tx, db.require(vtpm), ref);
            });
            task.progress(1);
            return ref;
        } catch (RuntimeException e) {
            deleteDisks(disks);
            if (!image.isNull()) destroyQuietly(image);
            throw e;
        }
    }

    /**
     * A copy of the VTPM for the new VM, with a secret of its own (xapi_vtpm.copy): holding the same contents,
     * or none for a unique VTPM, whose contents must never exist twice.
     */
    private void copyVtpm(Database.Tx tx, DbObject<VTPM> vtpm, Ref<VM> vm) {
        Ref<Secret> was = vtpm.get(VTPM.contents);
        DbObject<Secret> secret = was.isNull() ? null : db.get(was);
        Ref<Secret> contents = Refs.newRef(Secret.CLASS);
        tx.put(contents, Rec.empty(Secret.CLASS)
                .set(Secret.uuid, Refs.newUuid())
                .set(Secret.value, vtpm.get(VTPM.is_unique) || secret == null ? "" : secret.get(Secret.value))
                .set(Secret.other_config, secret == null ? Map.of() : secret.get(Secret.other_config)));
        Ref<VTPM> ref = Refs.newRef(VTPM.CLASS);
        tx.put(ref, Records.copy(vtpm, VTPM.CLASS).set(VTPM.uuid, Refs.newUuid()).set(VTPM.VM, vm).set(VTPM.contents, contents));
    }

    /** The new VM's record (xapi_vm_clone.copy_vm_record), its metrics staged in {@code tx}. */
    private Rec<VM> newVmRecord(Database.Tx tx, DbObject<VM> src, String newName, boolean snapshot) {
        var oc = new LinkedHashMap<>(src.get(VM.other_config));
        if (!snapshot) oc.put(VmRecords.MAC_SEED, Refs.newUuid());
        oc.remove(VmLifecycle.DEFAULT_TEMPLATE_KEY);
        oc.remove("xensource_internal");
        if (src.get(VM.is_a_template) && !oc.containsKey(BASE_TEMPLATE_NAME)) oc.put(BASE_TEMPLATE_NAME, src.get(VM.name_label));
        Ref<VM_metrics> metrics = Refs.newRef(VM_metrics.CLASS);
        DbObject<VM_metrics> m = db.get(src.get(VM.metrics));
        tx.put(metrics, (m == null ? VmRecords.newMetrics(false) : Records.copy(m, VM_metrics.CLASS)).set(VM_metrics.uuid, Refs.newUuid()));
        Ref<VM_guest_metrics> guestMetrics = VM_guest_metrics.CLASS.nullRef();
        DbObject<VM_guest_metrics> gm = db.get(src.get(VM.guest_metrics));
        if (gm != null) {
            guestMetrics = Refs.newRef(VM_guest_metrics.CLASS);
            tx.put(guestMetrics, Records.copy(gm, VM_guest_metrics.CLASS).set(VM_guest_metrics.uuid, Refs.newUuid()));
        }
        Ref<VM> srcRef = src.self(VM.CLASS);
        return Records.copy(src, VM.CLASS)
                .set(VM.uuid, Refs.newUuid())
                .set(VM.name_label, newName)
                .set(VM.power_state, VmPowerState.Halted)
                .set(VM.allowed_operations, List.of())
                .set(VM.current_operations, Map.of())
                .set(VM.blocked_operations, Map.of())
                .set(VM.is_a_template, snapshot || src.get(VM.is_a_template))
                .set(VM.is_default_template, false)
                .set(VM.is_a_snapshot, snapshot)
                .set(VM.snapshot_of, snapshot ? srcRef : VM.CLASS.nullRef())
                .set(VM.snapshot_time, snapshot ? Instant.now() : Instant.EPOCH)
                .set(VM.snapshot_info, snapshot ? Map.of("disk-snapshot-type", "crash_consistent",
                        POWER_STATE_AT_SNAPSHOT, src.get(VM.power_state).wire()) : Map.of())
                .set(VM.snapshot_metadata, "")
                .set(VM.transportable_snapshot_id, "")
                .set(VM.parent, snapshot ? src.get(VM.parent) : VM.CLASS.nullRef())
                .set(VM.resident_on, Host.CLASS.nullRef())
                .set(VM.scheduled_to_be_resident_on, Host.CLASS.nullRef())
                .set(VM.suspend_VDI, VDI.CLASS.nullRef())
                .set(VM.other_config, Collections.unmodifiableMap(oc))
                .set(VM.domid, -1L)
                .set(VM.domarch, "")
                .set(VM.metrics, metrics)
                .set(VM.guest_metrics, guestMetrics)
                .set(VM.blobs, Map.of())
                .set(VM.ha_always_run, false)
                .set(VM.protection_policy, VMPP.CLASS.nullRef())
                .set(VM.snapshot_schedule, VMSS.CLASS.nullRef())
                .set(VM.is_vmss_snapshot, false)
                .set(VM.appliance, VM_appliance.CLASS.nullRef())
                .set(VM.start_delay, 0L)
                .set(VM.shutdown_delay, 0L)
                .set(VM.order, 0L)
                .set(VM.suspend_SR, SR.CLASS.nullRef())
                .set(VM.version, 0L)
                .set(VM.generation_id, freshGenerationId(src.get(VM.generation_id)))
                .set(VM.requires_reboot, false)
                .set(VM.attached_PCIs, List.of())
                .set(VM.pending_guidances, List.of())
                .set(VM.pending_guidances_recommended, List.of())
                .set(VM.pending_guidances_full, List.of());
    }

    /** Xapi_vm_helpers.fresh_genid: a VM without a generation id keeps none, others get a new random one. */
    static String freshGenerationId(String current) {
        if (current == null || current.isEmpty()) return "";
        var r = ThreadLocalRandom.current();
        return Long.toUnsignedString(r.nextLong() >>> 1) + ":" + Long.toUnsignedString(r.nextLong() >>> 1);
    }

    /**
     * A copy of a VIF for {@code vm}, detached unless {@code suspended} (as {@link VbdRecords#copy}); a snapshot keeps the
     * MAC, other copies get a new one.
     */
    private void copyVif(Database.Tx tx, DbObject<VIF> vif, Ref<VM> vm, boolean preserveMac, boolean suspended) {
        Ref<VIF> ref = Refs.newRef(VIF.CLASS);
        Ref<VIF_metrics> metrics = Refs.newRef(VIF_metrics.CLASS);
        Rec<VIF> f = Records.copy(vif, VIF.CLASS)
                .set(VIF.uuid, Refs.newUuid())
                .set(VIF.VM, vm)
                .set(VIF.currently_attached, suspended && vif.get(VIF.currently_attached))
                .set(VIF.current_operations, Map.of())
                .set(VIF.status_code, 0L)
                .set(VIF.status_detail, "")
                .set(VIF.runtime_properties, Map.of());
        if (!preserveMac) f.set(VIF.MAC, randomMac()).set(VIF.MAC_autogenerated, true);
        tx.put(metrics, Rec.empty(VIF_metrics.CLASS).set(VIF_metrics.uuid, Refs.newUuid()));
        tx.put(ref, f.set(VIF.metrics, metrics));
    }

    /** A random locally administered unicast MAC, in XAPI's lowercase colon form. */
    static String randomMac() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfc) | 0x02);
        var sb = new StringBuilder();
        for (int i = 0; i < 6; i++) sb.append(i == 0 ? "" : ":").append(String.format("%02x", b[i] & 0xff));
        return sb.toString();
    }

    // ---- revert -----------------------------------------------------------------------------------

    /** Fields a revert leaves as they are on the VM (xapi_vm_snapshot.extended_do_not_copy). */
    private static final List<Field<VM, ?>> KEPT_ON_REVERT = List.of(VM.uuid, VM.suspend_VDI, VM.power_state, VM.parent,
            VM.current_operations, VM.allowed_operations, VM.metrics, VM.guest_metrics, VM.resident_on, VM.domid, VM.protection_policy,
            VM.snapshot_schedule, VM.scheduled_to_be_resident_on, VM.tags, VM.affinity, VM.attached_PCIs, VM.name_label,
            VM.is_a_snapshot, VM.is_a_template, VM.is_default_template, VM.snapshot_of, VM.snapshot_time, VM.transportable_snapshot_id,
            VM.blocked_operations, VM.ha_always_run);

    /**
     * VM.revert: the VM's disks that the snapshot holds snapshots of are replaced by clones of those
     * snapshots (the old VDIs destroyed), other disks detached but kept; CDs, VIFs and settings as in the
     * snapshot. The VM must be halted or suspended. It is left in the snapshot's power state, as XAPI leaves it: a
     * checkpoint's VM is suspended on a clone of the checkpoint's memory, for VM.resume to run it on from that instant.
     */
    public void revert(Ref<VM> snapshotRef, TaskContext task) {
        DbObject<VM> snap = db.require(snapshotRef);
        ops.require(snap, VmOperations.revert);
        DbObject<VM> vm = db.get(snap.get(VM.snapshot_of));
        if (vm == null) throw ApiError.of("VM_REVERT_FAILED", snapshotRef.value(), snap.get(VM.snapshot_of).value());
        Ref<VM> vmRef = vm.self(VM.CLASS);
        if (vm.get(VM.power_state) != VmPowerState.Halted && vm.get(VM.power_state) != VmPowerState.Suspended) {
            throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "halted, suspended", VmLifecycle.lower(vm.get(VM.power_state)));
        }
        Ref<VDI> oldImage = vm.get(VM.suspend_VDI);
        var snapVbds = new ArrayList<DbObject<VBD>>();
        for (Ref<VBD> b : db.related(snapshotRef, VM.VBDs)) snapVbds.add(db.require(b));
        Set<Ref<VDI>> replaced = new HashSet<>();
        for (DbObject<VBD> b : snapVbds) {
            DbObject<VDI> vdi = db.get(b.get(VBD.VDI));
            if (b.get(VBD.type) == VbdType.Disk && vdi != null) replaced.add(vdi.get(VDI.snapshot_of));
        }
        List<NewDisk> disks = disks(snapVbds, DiskOp.CLONE, null, task, 0.8);
        var oldVdis = new ArrayList<Ref<VDI>>();
        Ref<VDI> snapImage = snap.get(VM.suspend_VDI);
        Ref<VDI> image = VDI.CLASS.nullRef();
        try {
            if (!snapImage.isNull()) image = storage.cloneVdi(snapImage);
            Ref<VDI> newImage = image;
            db.write(tx -> {
                for (Ref<VBD> b : db.related(vmRef, VM.VBDs)) {
                    DbObject<VBD> vbd = db.require(b);
                    if (vbd.get(VBD.currently_attached)) throw ApiError.of("VM_REVERT_FAILED", snapshotRef.value(), vm.ref());
                    if (vbd.get(VBD.type) == VbdType.Disk && replaced.contains(vbd.get(VBD.VDI))) oldVdis.add(vbd.get(VBD.VDI));
                    Ref<VBD_metrics> m = vbd.get(VBD.metrics);
                    if (db.exists(m)) tx.delete(m);
                    tx.delete(b);
                }
                for (NewDisk d : disks) VbdRecords.copy(tx, d.vbd(), vmRef, d.vdi(), !newImage.isNull());
                for (Ref<VIF> vif : db.related(vmRef, VM.VIFs)) {
                    Ref<VIF_metrics> m = db.require(vif).get(VIF.metrics);
                    if (db.exists(m)) tx.delete(m);
                    tx.delete(vif);
                }
                for (Ref<VIF> vif : db.related(snapshotRef, VM.VIFs)) copyVif(tx, db.require(vif), vmRef, true, !newImage.isNull());
                // XAPI's update_vtpm: the VM's VTPMs make way for copies of the snapshot's, which must stay as taken
                for (Ref<VTPM> vtpm : db.related(vmRef, VM.VTPMs)) {
                    Ref<Secret> secret = db.require(vtpm).get(VTPM.contents);
                    if (!secret.isNull() && db.exists(secret)) tx.delete(secret);
                    tx.delete(vtpm);
                }
                for (Ref<VTPM> vtpm : db.related(snapshotRef, VM.VTPMs)) copyVtpm(tx, db.require(vtpm), vmRef);
                Rec<VM> after = VmAllowedOperations.changes();
                for (Member<VM> f : VM.CLASS.members()) {
                    if (f instanceof Field<VM, ?> field && !KEPT_ON_REVERT.contains(field) && Records.differs(field, snap, vm)) take(after, field, snap);
                }
                after.set(VM.parent, snapshotRef)
                     .set(VM.suspend_VDI, newImage)
                     .set(VM.power_state, newImage.isNull() ? VmPowerState.Halted : VmPowerState.Suspended);
                VmAllowedOperations.stage(tx, vm, after);
            });
        } catch (RuntimeException e) {
            deleteDisks(disks);
            if (!image.isNull()) destroyQuietly(image);
            if (e instanceof ApiError a && (a.code().equals("VM_REVERT_FAILED") || a.code().startsWith("SR_"))) throw a;
            throw ApiError.of("VM_REVERT_FAILED", snapshotRef.value(), vm.ref());
        }
        // the VM is reverted; a disk left behind is only space
        for (Ref<VDI> vdi : oldVdis) if (db.related(vdi, VDI.VBDs).isEmpty()) destroyQuietly(vdi);
        if (!oldImage.isNull() && db.exists(oldImage)) destroyQuietly(oldImage);
        task.progress(1);
    }

    private static <T> void take(Rec<VM> to, Field<VM, T> f, DbObject<VM> from) { to.set(f, from.get(f)); }

    // ---- provision --------------------------------------------------------------------------------

    /** The SR an entry names: a uuid, else a unique name, else (empty) the pool's default SR. */
    private Ref<SR> resolveSr(String sr) {
        if (sr.isEmpty()) {
            Ref<SR> def = db.all(Pool.CLASS).stream().map(p -> p.get(Pool.default_SR)).findFirst().orElse(SR.CLASS.nullRef());
            if (db.get(def) == null) throw ApiError.of("DEFAULT_SR_NOT_FOUND", def.value());
            return def;
        }
        var byUuid = db.refByUuid(SR.CLASS, sr);
        if (byUuid.isPresent()) return byUuid.get();
        List<DbObject<SR>> named = db.where(SR.CLASS, s -> sr.equals(s.get(SR.name_label)));
        if (named.size() == 1) return named.getFirst().self(SR.CLASS);
        throw ApiError.of("UUID_INVALID", "sr", sr);
    }

    /**
     * VM.provision (xapi_vm.provision): clears is_a_template, then makes each disk of other_config:disks
     * (VDI named after its device, VBD owned by the VM) and removes the install keys. What it made is
     * destroyed again if any disk fails.
     */
    public void provision(Ref<VM> vmRef, TaskContext task) {
        DbObject<VM> vm = db.require(vmRef);
        ops.require(vm, VmOperations.provision);
        Map<String, String> oc = vm.get(VM.other_config);
        String xml = oc.get(TemplateDisks.KEY);
        List<TemplateDisks.DiskSpec> specs = xml == null ? List.of() : TemplateDisks.parse(xml);
        // the disks' storage is checked before anything changes: a call for another host's storage goes there whole
        for (TemplateDisks.DiskSpec d : specs) storage.requireReachable(resolveSr(d.sr()));
        vms.setIsATemplate(vmRef, false);
        if (xml == null && !oc.containsKey(POSTINSTALL_KEY)) return;
        task.progress(0.1);
        var madeVdis = new ArrayList<Ref<VDI>>();
        var madeVbds = new ArrayList<Ref<VBD>>();
        try {
            int i = 0;
            for (TemplateDisks.DiskSpec d : specs) {
                task.checkCancelled();
                Ref<VDI> vdi = storage.createVdi(Rec.empty(VDI.CLASS)
                        .set(VDI.name_label, "")
                        .set(VDI.name_description, "Created by template provisioner")
                        .set(VDI.SR, resolveSr(d.sr()))
                        .set(VDI.virtual_size, d.size())
                        .set(VDI.type, d.type())
                        .set(VDI.sharable, false)
                        .set(VDI.read_only, false)
                        .set(VDI.sm_config, Map.of("vmhint", vm.get(VM.uuid))));
                madeVdis.add(vdi);
                Ref<VBD> vbd = vbds.create(Rec.empty(VBD.CLASS)
                        .set(VBD.VM, vmRef)
                        .set(VBD.VDI, vdi)
                        .set(VBD.userdevice, d.device())
                        .set(VBD.bootable, d.bootable())
                        .set(VBD.mode, VbdMode.RW)
                        .set(VBD.type, VbdType.Disk)
                        .set(VBD.unpluggable, d.type() != VdiType.system)
                        .set(VBD.empty, false)
                        .set(VBD.other_config, Map.of(OWNER_KEY, "")));
                madeVbds.add(vbd);
                String device = db.require(vbd).get(VBD.userdevice);
                db.write(tx -> tx.set(vdi, VDI.name_label, device));
                task.progress(0.1 + 0.8 * ++i / specs.size());
            }
        } catch (RuntimeException e) {
            for (int k = 0; k < madeVdis.size(); k++) {
                try {
                    if (k < madeVbds.size()) vbds.destroy(madeVbds.get(k));
                    storage.destroyVdi(madeVdis.get(k));
                } catch (RuntimeException ignored) {
                    // best effort, as XAPI
                }
            }
            throw e;
        }
        db.write(tx -> {
            var now = new LinkedHashMap<>(db.require(vmRef).get(VM.other_config));
            if (now.remove(TemplateDisks.KEY) != null | now.remove(POSTINSTALL_KEY) != null) {
                tx.set(vmRef, VM.other_config, Collections.unmodifiableMap(now));
            }
        });
        task.progress(1);
    }
}

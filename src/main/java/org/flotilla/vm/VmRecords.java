package org.flotilla.vm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VM_guest_metrics;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.DomainType;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * The VM records of the XenAPI (XAPI's xapi_vm.ml and xapi_vm_helpers.ml): VM.create and VM.destroy,
 * memory and VCPU settings, allowed devices, allowed operations. Nothing here runs a VM: power states
 * other than Halted are the VM runtime's, which reads and writes the same records.
 */
public final class VmRecords {
    /** other_config key of the seed from which VIF MACs derive (Xapi_globs.mac_seed). */
    static final String MAC_SEED = "mac_seed";
    private static final String VCPU_RULE = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";
    private static final String MEMORY_RULE = "memory_static_min ≤ memory_dynamic_min ≤ memory_dynamic_max ≤ memory_static_max";
    private static final List<Field<VM, Long>> MEMORY = List.of(VM.memory_static_min, VM.memory_static_max, VM.memory_dynamic_min,
            VM.memory_dynamic_max, VM.memory_target, VM.memory_overhead);

    private final Database db;
    private final VmAllowedOperations ops;
    private final List<Runnable> destroyedListeners = new CopyOnWriteArrayList<>();

    public VmRecords(Database db, VmAllowedOperations ops) {
        this.db = db;
        this.ops = ops;
    }

    // ---- create / destroy ----------------------------------------------------------------------

    /** VM.create: the record given, the datamodel's defaults for the rest, validated; Halted, with its VM_metrics. */
    public Ref<VM> create(Rec<VM> given) {
        Rec<VM> f = Records.constructed(db, given);
        Ref<VM> ref = Refs.newRef(VM.CLASS);

        long max = f.get(VM.VCPUs_max);
        long atStartup = f.get(VM.VCPUs_at_startup);
        if (!given.has(VM.VCPUs_max)) max = Math.max(1, atStartup);
        if (!given.has(VM.VCPUs_at_startup)) atStartup = max;
        validateVcpus(max, atStartup);
        f.set(VM.VCPUs_max, max).set(VM.VCPUs_at_startup, atStartup);
        assertMemoryOrder(f, "MEMORY_CONSTRAINT_VIOLATION", MEMORY_RULE);
        EfiVariables.check(f.get(VM.NVRAM));
        if (!given.has(VM.memory_target)) f.set(VM.memory_target, f.get(VM.memory_dynamic_max));

        if (f.get(VM.power_state) == VmPowerState.Suspended) {
            if (f.get(VM.suspend_VDI).isNull() || f.get(VM.last_booted_record).isEmpty()) {
                throw ApiError.of("VM_BAD_POWER_STATE", ref.value(), "halted", "suspended");
            }
            db.require(f.get(VM.suspend_VDI));
        } else {
            f.set(VM.power_state, VmPowerState.Halted)
             .set(VM.suspend_VDI, VDI.CLASS.nullRef())
             .set(VM.last_booted_record, "")
             .set(VM.last_boot_CPU_flags, Map.of());
        }
        var oc = new LinkedHashMap<>(f.get(VM.other_config));
        oc.putIfAbsent(MAC_SEED, Refs.newUuid());
        f.set(VM.other_config, Collections.unmodifiableMap(oc));
        if (f.get(VM.domain_type) == DomainType.unspecified) f.set(VM.domain_type, f.get(VM.HVM_boot_policy).isEmpty() ? DomainType.pv : DomainType.hvm);
        f.set(VM.resident_on, Host.CLASS.nullRef())
         .set(VM.scheduled_to_be_resident_on, Host.CLASS.nullRef())
         .set(VM.snapshot_of, VM.CLASS.nullRef())
         .set(VM.parent, VM.CLASS.nullRef())
         .set(VM.guest_metrics, VM_guest_metrics.CLASS.nullRef())
         .set(VM.is_default_template, false)
         .set(VM.is_a_snapshot, false)
         .set(VM.is_control_domain, false)
         .set(VM.domid, -1L)
         .set(VM.current_operations, Map.of())
         .set(VM.uuid, Refs.newUuid())
         .set(VM.memory_overhead, overhead(f));
        Ref<VM_metrics> metrics = Refs.newRef(VM_metrics.CLASS);
        f.set(VM.metrics, metrics);
        f.set(VM.allowed_operations, ops.allowed(Records.unsaved(ref, f)));
        db.write(tx -> {
            tx.put(metrics, newMetrics(false));
            tx.put(ref, f);
        });
        return ref;
    }

    /** A fresh VM_metrics record as XAPI's VM.create makes it. */
    static Rec<VM_metrics> newMetrics(boolean installed) {
        var m = Rec.empty(VM_metrics.CLASS).set(VM_metrics.uuid, Refs.newUuid()).set(VM_metrics.VCPUs_utilisation, Map.of(0L, 0.0));
        if (installed) m.set(VM_metrics.install_time, Instant.now());
        return m;
    }

    /** What VM.destroy removes with the VM, besides VBDs, VIFs and their metrics. */
    private static final List<Relation<VM, ?>> OWNED = List.of(VM.VGPUs, VM.VUSBs, VM.VTPMs, VM.consoles);

    /**
     * VM.destroy (XAPI's xapi_vm_helpers.destroy): the VM, its VBDs, VIFs, VGPUs, VUSBs, VTPMs, consoles,
     * metrics and guest metrics; never a VDI. The VM's children are rebased on its parent.
     */
    public void destroy(Ref<VM> ref) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            ops.require(vm, VmOperations.destroy);
            if ("true".equals(vm.get(VM.other_config).get(VmLifecycle.DEFAULT_TEMPLATE_KEY))) {
                throw ApiError.of("VM_CANNOT_DELETE_DEFAULT_TEMPLATE", ref.value());
            }
            stageForget(tx, vm);
        });
        destroyedListeners.forEach(Runnable::run);
    }

    /**
     * Stages the deletion of the VM's records — the VM, its VBDs, VIFs, vTPMs, consoles and metrics, not its disks —
     * without VM.destroy's checks: for a VM that has left for another pool, or one that did not arrive from there.
     */
    public static void stageForget(Database.Tx tx, DbObject<VM> vm) {
        Database db = tx.db();
        Ref<VM> ref = vm.self(VM.CLASS);
        for (Ref<VM> child : db.related(ref, VM.children)) tx.set(child, VM.parent, vm.get(VM.parent));
        for (Ref<VBD> vbd : db.related(ref, VM.VBDs)) {
            deleteIfPresent(tx, db.require(vbd).get(VBD.metrics));
            tx.delete(vbd);
        }
        for (Ref<VIF> vif : db.related(ref, VM.VIFs)) {
            deleteIfPresent(tx, db.require(vif).get(VIF.metrics));
            tx.delete(vif);
        }
        for (Ref<VTPM> vtpm : db.related(ref, VM.VTPMs)) deleteIfPresent(tx, db.require(vtpm).get(VTPM.contents));
        for (Relation<VM, ?> owned : OWNED) for (Ref<?> o : db.related(ref, owned)) tx.delete(o);
        deleteIfPresent(tx, vm.get(VM.metrics));
        deleteIfPresent(tx, vm.get(VM.guest_metrics));
        tx.delete(ref);
    }

    /** {@link #stageForget} of the VM and of each of its snapshots first: for a VM that takes its snapshots along. */
    public static void stageForgetWithSnapshots(Database.Tx tx, DbObject<VM> vm) {
        Database db = tx.db();
        for (Ref<VM> snapshot : db.related(vm.self(VM.CLASS), VM.snapshots)) stageForget(tx, db.require(snapshot));
        stageForget(tx, vm);
    }

    /** The VM and its snapshots after it: what a VM that moves (Storage XenMotion) takes along. */
    public static List<Ref<VM>> withSnapshots(Database db, Ref<VM> vm) {
        var out = new ArrayList<Ref<VM>>(List.of(vm));
        out.addAll(db.related(vm, VM.snapshots));
        return out;
    }

    /** Runs {@code r} after each VM.destroy: the host removes the files a destroyed VM leaves behind. */
    public void afterDestroy(Runnable r) { destroyedListeners.add(r); }

    /** Moves a running VM's memory to a new target (the host's balloon); none until the VM runtime is wired in. */
    @FunctionalInterface
    public interface Balloon {
        void target(Ref<VM> vm, long bytes);
    }

    private volatile Balloon balloon = (vm, bytes) -> { };

    void setBalloon(Balloon b) { balloon = b; }

    private static void deleteIfPresent(Database.Tx tx, Ref<?> ref) {
        if (!ref.isNull() && tx.db().exists(ref)) tx.delete(ref);
    }

    /**
     * VM.set_is_a_template (xapi_vm_helpers): false is "install time", recorded in the metrics; true needs
     * a halted VM (make_into_template) and clears ha_always_run.
     */
    public void setIsATemplate(Ref<VM> ref, boolean value) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            Rec<VM> after = VmAllowedOperations.changes();
            if (value) {
                if (!vm.get(VM.is_a_template)) ops.require(vm, VmOperations.make_into_template);
                after.set(VM.ha_always_run, false);
            } else {
                Ref<VM_metrics> m = vm.get(VM.metrics);
                if (db.exists(m)) tx.set(m, VM_metrics.install_time, Instant.now());
            }
            after.set(VM.is_a_template, value);
            VmAllowedOperations.stage(tx, vm, after);
        });
    }

    /** VM.set_actions_after_crash: as XAPI, any value is accepted here; VM.start refuses the one it cannot honour (rename_restart). */
    public void setActionsAfterCrash(Ref<VM> ref, OnCrashBehaviour value) {
        db.require(ref);
        db.write(tx -> tx.set(ref, VM.actions_after_crash, value));
    }

    // ---- NVRAM ----------------------------------------------------------------------------------

    public void setNvram(Ref<VM> ref, Map<String, String> value) {
        EfiVariables.check(value);
        changeNvram(ref, VmOperations.changing_NVRAM, n -> { n.clear(); n.putAll(value); });
    }

    public void addToNvram(Ref<VM> ref, String key, String value) {
        EfiVariables.check(Map.of(key, value));
        changeNvram(ref, VmOperations.changing_NVRAM, n -> {
            if (n.containsKey(key)) throw ApiError.of("MAP_DUPLICATE_KEY", VM.CLASS.name(), VM.NVRAM.name(), db.require(ref).get(VM.uuid), key);
            n.put(key, value);
        });
    }

    public void removeFromNvram(Ref<VM> ref, String key) { changeNvram(ref, VmOperations.changing_NVRAM, n -> n.remove(key)); }

    /** In any power state: XAPI's variable daemon saves this while the VM runs. */
    public void setNvramEfiVariables(Ref<VM> ref, String value) {
        EfiVariables.check(Map.of(EfiVariables.KEY, value));
        changeNvram(ref, null, n -> n.put(EfiVariables.KEY, value));
    }

    /** Changes VM.NVRAM in one write, if {@code op} (when given) may run on the VM. */
    private void changeNvram(Ref<VM> ref, VmOperations op, Consumer<Map<String, String>> change) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            if (op != null) ops.require(vm, op);
            var nvram = new LinkedHashMap<>(vm.get(VM.NVRAM));
            change.accept(nvram);
            tx.set(ref, VM.NVRAM, Collections.unmodifiableMap(nvram));
        });
    }

    // ---- memory -------------------------------------------------------------------------------

    /** VM.set_memory_limits: all four at once, Halted VMs only; target follows dynamic_min as in XAPI. */
    public void setMemoryLimits(Ref<VM> ref, long staticMin, long staticMax, long dynamicMin, long dynamicMax) {
        changeMemory(ref, VmOperations.changing_memory_limits, m -> m.set(VM.memory_static_min, staticMin).set(VM.memory_static_max, staticMax)
                .set(VM.memory_dynamic_min, dynamicMin).set(VM.memory_dynamic_max, dynamicMax), vm -> dynamicMin);
    }

    /** VM.set_memory: one fixed amount, above the static minimum. */
    public void setMemory(Ref<VM> ref, long value) { setMemoryLimits(ref, db.require(ref).get(VM.memory_static_min), value, value, value); }

    public void setStaticRange(Ref<VM> ref, long min, long max) {
        changeMemory(ref, VmOperations.changing_static_range, m -> m.set(VM.memory_static_min, min).set(VM.memory_static_max, max), null);
    }

    public void setStaticMin(Ref<VM> ref, long value) { setStaticRange(ref, value, db.require(ref).get(VM.memory_static_max)); }

    public void setStaticMax(Ref<VM> ref, long value) { setStaticRange(ref, db.require(ref).get(VM.memory_static_min), value); }

    /**
     * VM.set_memory_dynamic_range: Halted or Running. A running VM is given the top of its new range, as squeezed
     * does on a host with room (its whole static_max is reserved here at start), and ballooned to it.
     */
    public void setDynamicRange(Ref<VM> ref, long min, long max) {
        changeMemory(ref, VmOperations.changing_dynamic_range, m -> m.set(VM.memory_dynamic_min, min).set(VM.memory_dynamic_max, max),
                vm -> running(vm) ? max : Math.max(min, Math.min(max, vm.get(VM.memory_target))));
        if (running(db.require(ref))) balloon.target(ref, max);
    }

    public void setDynamicMin(Ref<VM> ref, long value) { setDynamicRange(ref, value, db.require(ref).get(VM.memory_dynamic_max)); }

    public void setDynamicMax(Ref<VM> ref, long value) { setDynamicRange(ref, db.require(ref).get(VM.memory_dynamic_min), value); }

    private static boolean running(DbObject<VM> vm) {
        VmPowerState power = vm.get(VM.power_state);
        return power == VmPowerState.Running || power == VmPowerState.Paused;
    }

    /** Sets memory fields if {@code op} may run and the order holds; {@code target}, if given, gives memory_target. */
    private void changeMemory(Ref<VM> ref, VmOperations op, Consumer<Rec<VM>> values, ToLongFunction<DbObject<VM>> target) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            ops.require(vm, op);
            Rec<VM> m = Records.copy(vm, VM.CLASS);
            values.accept(m);
            assertMemoryOrder(m, "MEMORY_CONSTRAINT_VIOLATION_ORDER", null);
            if (target != null) m.set(VM.memory_target, target.applyAsLong(vm));
            m.set(VM.memory_overhead, overhead(m));
            for (Field<VM, Long> k : MEMORY) if (!m.get(k).equals(vm.get(k))) tx.set(ref, k, m.get(k));
        });
    }

    /** static_min ≤ dynamic_min ≤ dynamic_max ≤ static_max, else {@code code} (with {@code rule} as its parameter, if any). */
    static void assertMemoryOrder(Rec<VM> f, String code, String rule) {
        long smin = f.get(VM.memory_static_min);
        long dmin = f.get(VM.memory_dynamic_min);
        long dmax = f.get(VM.memory_dynamic_max);
        long smax = f.get(VM.memory_static_max);
        if (smin < 0 || !(smin <= dmin && dmin <= dmax && dmax <= smax)) {
            throw rule == null ? ApiError.of(code) : ApiError.of(code, rule);
        }
    }

    /**
     * What running the VM costs beyond its memory: QEMU's own footprint and page tables. A QEMU process
     * needs tens of MiB whatever the guest; shadow/EPT tables about 1/128 of guest memory, a MiB a VCPU.
     */
    static long overhead(Rec<VM> f) {
        long mib = 1 << 20;
        long smax = f.get(VM.memory_static_max);
        long vcpus = Math.min(f.get(VM.VCPUs_max), Integer.MAX_VALUE); // any count is accepted when set: no overflow
        long bytes = 32 * mib + smax / 128 + vcpus * mib;
        return (bytes + mib - 1) / mib * mib;
    }

    // ---- VCPUs -------------------------------------------------------------------------------

    static void validateVcpus(long max, long atStartup) {
        if (max < 1) throw ApiError.of("INVALID_VALUE", VM.VCPUs_max.name(), Long.toString(max));
        if (atStartup < 1) throw ApiError.of("INVALID_VALUE", "VCPUs-at-startup", Long.toString(atStartup));
        if (atStartup > max) {
            throw ApiError.of("VALUE_NOT_SUPPORTED", "VCPUs-at-startup", Long.toString(atStartup), "value greater than VCPUs-max");
        }
    }

    public void setVcpusMax(Ref<VM> ref, long value) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            ops.require(vm, VmOperations.changing_VCPUs);
            if (value < 1 || value < vm.get(VM.VCPUs_at_startup)) throw ApiError.of("INVALID_VALUE", VCPU_RULE, Long.toString(value));
            tx.set(ref, VM.VCPUs_max, value);
            tx.set(ref, VM.memory_overhead, overhead(Records.copy(vm, VM.CLASS).set(VM.VCPUs_max, value)));
        });
    }

    public void setVcpusAtStartup(Ref<VM> ref, long value) {
        db.write(tx -> {
            DbObject<VM> vm = db.require(ref);
            ops.require(vm, VmOperations.changing_VCPUs);
            if (value < 1 || value > vm.get(VM.VCPUs_max)) throw ApiError.of("INVALID_VALUE", VCPU_RULE, Long.toString(value));
            tx.set(ref, VM.VCPUs_at_startup, value);
        });
    }

    // ---- devices -----------------------------------------------------------------------------

    /** The disk slots the VM's VBDs hold, by userdevice and by device. */
    Set<String> usedSlots(Ref<VM> vm) {
        var used = new HashSet<String>();
        for (Ref<VBD> vbd : db.related(vm, VM.VBDs)) {
            DbObject<VBD> b = db.get(vbd);
            if (b == null) continue;
            used.addAll(DeviceNumbers.slots(b.get(VBD.userdevice)));
            used.addAll(DeviceNumbers.slots(b.get(VBD.device)));
        }
        return used;
    }

    /** VM.get_allowed_VBD_devices: the free disk numbers 0..254, as strings. */
    public List<String> allowedVbdDevices(Ref<VM> vm) {
        db.require(vm);
        Set<String> used = usedSlots(vm);
        var out = new ArrayList<String>();
        for (int n = 0; n <= DeviceNumbers.MAX_DISK; n++) {
            if (!used.contains(DeviceNumbers.ofDiskNumber(true, n).slot())) out.add(Integer.toString(n));
        }
        return out;
    }

    /** VM.get_allowed_VIF_devices: the free VIF numbers 0..15, as strings. */
    public List<String> allowedVifDevices(Ref<VM> vm) {
        db.require(vm);
        var used = new HashSet<String>();
        for (Ref<VIF> vif : db.related(vm, VM.VIFs)) {
            DbObject<VIF> v = db.get(vif);
            if (v != null) used.add(v.get(VIF.device));
        }
        var out = new ArrayList<String>();
        for (int n = 0; n <= DeviceNumbers.MAX_VIF; n++) if (!used.contains(Integer.toString(n))) out.add(Integer.toString(n));
        return out;
    }

    /** VM.get_boot_record: the VM as it is. */
    public Rec<VM> bootRecord(Ref<VM> vm) {
        db.require(vm);
        return db.record(vm);
    }
}

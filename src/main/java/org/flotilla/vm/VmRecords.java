package org.flotilla.vm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;

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

    private final Database db;
    private final VmOperations ops;
    private final List<Runnable> destroyedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public VmRecords(Database db, VmOperations ops) {
        this.db = db;
        this.ops = ops;
    }

    public void register(Handlers h) {
        h.on("VM", "create", c -> create(c.map("args")))
         .on("VM", "destroy", c -> { destroy(c.ref("self")); return null; })
         .on("VM", "set_is_a_template", c -> { setIsATemplate(c.ref("self"), c.bool("value")); return null; })
         .on("VM", "set_memory_limits", c -> { setMemoryLimits(c.ref("self"), c.integer("static_min"), c.integer("static_max"),
                 c.integer("dynamic_min"), c.integer("dynamic_max")); return null; })
         .on("VM", "set_memory", c -> {
             DbObject<?> vm = db.require("VM", c.ref("self"));
             long v = c.integer("value");
             setMemoryLimits(vm.ref(), vm.integer("memory_static_min"), v, v, v);
             return null;
         })
         .on("VM", "set_memory_static_range", c -> { setStaticRange(c.ref("self"), c.integer("min"), c.integer("max")); return null; })
         .on("VM", "set_memory_static_min", c -> {
             setStaticRange(c.ref("self"), c.integer("value"), db.require("VM", c.ref("self")).integer("memory_static_max"));
             return null;
         })
         .on("VM", "set_memory_static_max", c -> {
             setStaticRange(c.ref("self"), db.require("VM", c.ref("self")).integer("memory_static_min"), c.integer("value"));
             return null;
         })
         .on("VM", "set_memory_dynamic_range", c -> { setDynamicRange(c.ref("self"), c.integer("min"), c.integer("max")); return null; })
         .on("VM", "set_memory_dynamic_min", c -> {
             setDynamicRange(c.ref("self"), c.integer("value"), db.require("VM", c.ref("self")).integer("memory_dynamic_max"));
             return null;
         })
         .on("VM", "set_memory_dynamic_max", c -> {
             setDynamicRange(c.ref("self"), db.require("VM", c.ref("self")).integer("memory_dynamic_min"), c.integer("value"));
             return null;
         })
         .on("VM", "set_VCPUs_max", c -> { setVcpusMax(c.ref("self"), c.integer("value")); return null; })
         .on("VM", "set_VCPUs_at_startup", c -> { setVcpusAtStartup(c.ref("self"), c.integer("value")); return null; })
         .on("VM", "set_actions_after_crash", c -> {
             // as XAPI, any value is accepted here; VM.start refuses the one it cannot honour (rename_restart)
             String vm = db.require("VM", c.ref("self")).ref();
             db.write(tx -> tx.set("VM", vm, "actions_after_crash", c.string("value")));
             return null;
         })
         .on("VM", "set_NVRAM", c -> {
             EfiVariables.check(c.map("value"));
             changeNvram(c.ref("self"), "changing_NVRAM", n -> { n.clear(); n.putAll(c.map("value")); });
             return null;
         })
         .on("VM", "add_to_NVRAM", c -> {
             String key = c.string("key");
             EfiVariables.check(Map.of(key, c.string("value")));
             changeNvram(c.ref("self"), "changing_NVRAM", n -> {
                 if (n.containsKey(key)) throw ApiError.of("MAP_DUPLICATE_KEY", "VM", "NVRAM", db.require("VM", c.ref("self")).uuid(), key);
                 n.put(key, c.string("value"));
             });
             return null;
         })
         .on("VM", "remove_from_NVRAM", c -> { changeNvram(c.ref("self"), "changing_NVRAM", n -> n.remove(c.string("key"))); return null; })
         // in any power state: XAPI's variable daemon saves this while the VM runs
         .on("VM", "set_NVRAM_EFI_variables", c -> {
             EfiVariables.check(Map.of(EfiVariables.KEY, c.string("value")));
             changeNvram(c.ref("self"), null, n -> n.put(EfiVariables.KEY, c.string("value")));
             return null;
         })
         .on("VM", "get_allowed_VBD_devices", c -> allowedVbdDevices(c.ref("vm")))
         .on("VM", "get_allowed_VIF_devices", c -> allowedVifDevices(c.ref("vm")))
         .on("VM", "get_boot_record", c -> db.record("VM", db.require("VM", c.ref("self")).ref()))
         .on("VM", "assert_operation_valid", c -> { ops.assertValid(c.ref("self"), c.string("op")); return null; })
         .on("VM", "update_allowed_operations", c -> { ops.update(db.require("VM", c.ref("self")).ref()); return null; });
    }

    /** Changes VM.NVRAM in one write, if {@code op} (when given) may run on the VM. */
    private void changeNvram(String vmRef, String op, java.util.function.Consumer<Map<String, String>> change) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            if (op != null) requireOp(vm, op);
            var nvram = new LinkedHashMap<String, String>(vm.map("NVRAM"));
            change.accept(nvram);
            tx.set("VM", vm.ref(), "NVRAM", java.util.Collections.unmodifiableMap(nvram));
        });
    }

    // ---- create / destroy ----------------------------------------------------------------------

    /** VM.create: the record given, the datamodel's defaults for the rest, validated; Halted, with its VM_metrics. */
    public String create(Map<String, Object> given) {
        ClassDef c = db.model().classDef("VM");
        var f = new LinkedHashMap<String, Object>();
        for (FieldDef field : c.fields().values()) if (!field.derived()) f.put(field.name(), field.defaultValue());
        given.forEach((k, v) -> { if (c.field(k).qualifier().inConstructor()) f.put(k, v); });
        String ref = Refs.newRef();

        long max = (Long) f.get("VCPUs_max");
        long atStartup = (Long) f.get("VCPUs_at_startup");
        if (!given.containsKey("VCPUs_max")) max = Math.max(1, atStartup);
        if (!given.containsKey("VCPUs_at_startup")) atStartup = max;
        validateVcpus(max, atStartup);
        f.put("VCPUs_max", max);
        f.put("VCPUs_at_startup", atStartup);
        assertMemoryOrder(f, "MEMORY_CONSTRAINT_VIOLATION", MEMORY_RULE);
        EfiVariables.check(map(f.get("NVRAM")));
        if (!given.containsKey("memory_target")) f.put("memory_target", f.get("memory_dynamic_max"));

        String power = (String) f.get("power_state");
        if (power.equals("Suspended")) {
            if (Refs.isNull((String) f.get("suspend_VDI")) || ((String) f.get("last_booted_record")).isEmpty()) {
                throw ApiError.of("VM_BAD_POWER_STATE", ref, "halted", "suspended");
            }
            db.require("VDI", (String) f.get("suspend_VDI"));
        } else {
            f.put("power_state", "Halted");
            f.put("suspend_VDI", ClassDef.NULL_REF);
            f.put("last_booted_record", "");
            f.put("last_boot_CPU_flags", Map.of());
        }
        var oc = new LinkedHashMap<String, String>(map(f.get("other_config")));
        oc.putIfAbsent(MAC_SEED, Refs.newUuid());
        f.put("other_config", java.util.Collections.unmodifiableMap(oc));
        if ("unspecified".equals(f.get("domain_type"))) f.put("domain_type", ((String) f.get("HVM_boot_policy")).isEmpty() ? "pv" : "hvm");
        for (String ro : List.of("resident_on", "scheduled_to_be_resident_on", "snapshot_of", "parent", "guest_metrics")) {
            f.put(ro, ClassDef.NULL_REF);
        }
        f.put("is_default_template", false);
        f.put("is_a_snapshot", false);
        f.put("is_control_domain", false);
        f.put("domid", -1L);
        f.put("current_operations", Map.of());
        f.put("uuid", Refs.newUuid());
        f.put("memory_overhead", overhead(f));
        String metrics = Refs.newRef();
        f.put("metrics", metrics);
        f.put("allowed_operations", ops.allowed(new DbObject<>("VM", ref, f, 0, 0)));
        db.write(tx -> {
            tx.put("VM_metrics", metrics, newMetrics(false));
            tx.put("VM", ref, f);
        });
        return ref;
    }

    /** A fresh VM_metrics record as XAPI's VM.create makes it. */
    static Map<String, Object> newMetrics(boolean installed) {
        var m = new LinkedHashMap<String, Object>();
        m.put("uuid", Refs.newUuid());
        m.put("VCPUs_utilisation", Map.of(0L, 0.0));
        if (installed) m.put("install_time", Instant.now());
        return m;
    }

    /**
     * VM.destroy (XAPI's xapi_vm_helpers.destroy): the VM, its VBDs, VIFs, VGPUs, VUSBs, VTPMs, consoles,
     * metrics and guest metrics; never a VDI. The VM's children are rebased on its parent.
     */
    public void destroy(String vmRef) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            ops.error(vm, "destroy").ifPresent(e -> { throw e; });
            if ("true".equals(vm.<String, String>map("other_config").get(VmLifecycle.DEFAULT_TEMPLATE_KEY))) {
                throw ApiError.of("VM_CANNOT_DELETE_DEFAULT_TEMPLATE", vmRef);
            }
            for (String child : db.related("VM", "children", vmRef)) tx.set("VM", child, "parent", vm.string("parent"));
            for (String vbd : db.related("VM", "VBDs", vmRef)) {
                deleteIfPresent(tx, "VBD_metrics", db.require("VBD", vbd).string("metrics"));
                tx.delete("VBD", vbd);
            }
            for (String vif : db.related("VM", "VIFs", vmRef)) {
                deleteIfPresent(tx, "VIF_metrics", db.require("VIF", vif).string("metrics"));
                tx.delete("VIF", vif);
            }
            for (String vtpm : db.related("VM", "VTPMs", vmRef)) deleteIfPresent(tx, "secret", db.require("VTPM", vtpm).string("contents"));
            for (String rel : List.of("VGPUs", "VUSBs", "VTPMs", "consoles")) {
                String cls = db.model().classDef("VM").field(rel).relation().split("\\.")[0];
                for (String o : db.related("VM", rel, vmRef)) tx.delete(cls, o);
            }
            deleteIfPresent(tx, "VM_metrics", vm.string("metrics"));
            deleteIfPresent(tx, "VM_guest_metrics", vm.string("guest_metrics"));
            tx.delete("VM", vmRef);
        });
        destroyedListeners.forEach(Runnable::run);
    }

    /** Runs {@code r} after each VM.destroy: the host removes the files a destroyed VM leaves behind. */
    public void afterDestroy(Runnable r) { destroyedListeners.add(r); }

    /** Moves a running VM's memory to a new target (the host's balloon); none until the VM runtime is wired in. */
    @FunctionalInterface
    public interface Balloon {
        void target(String vmRef, long bytes);
    }

    private volatile Balloon balloon = (vm, bytes) -> { };

    void setBalloon(Balloon b) { balloon = b; }

    private void deleteIfPresent(Database.Tx tx, String cls, String ref) {
        if (!Refs.isNull(ref) && db.get(cls, ref) != null) tx.delete(cls, ref);
    }

    /**
     * VM.set_is_a_template (xapi_vm_helpers): false is "install time", recorded in the metrics; true needs
     * a halted VM (make_into_template) and clears ha_always_run.
     */
    public void setIsATemplate(String vmRef, boolean value) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            var after = new LinkedHashMap<String, Object>();
            if (value) {
                if (!vm.bool("is_a_template")) ops.error(vm, "make_into_template").ifPresent(e -> { throw e; });
                after.put("ha_always_run", false);
            } else {
                String m = vm.string("metrics");
                if (db.get("VM_metrics", m) != null) tx.set("VM_metrics", m, "install_time", Instant.now());
            }
            after.put("is_a_template", value);
            after.forEach((k, v) -> tx.set("VM", vmRef, k, v));
            ops.refresh(tx, vmRef, after);
        });
    }

    // ---- memory -------------------------------------------------------------------------------

    private void requireOp(DbObject<?> vm, String op) { ops.error(vm, op).ifPresent(e -> { throw e; }); }

    /** VM.set_memory_limits: all four at once, Halted VMs only; target follows dynamic_min as in XAPI. */
    public void setMemoryLimits(String vmRef, long staticMin, long staticMax, long dynamicMin, long dynamicMax) {
        changeMemory(vmRef, "changing_memory_limits", Map.of("memory_static_min", staticMin, "memory_static_max", staticMax,
                "memory_dynamic_min", dynamicMin, "memory_dynamic_max", dynamicMax), vm -> dynamicMin);
    }

    public void setStaticRange(String vmRef, long min, long max) {
        changeMemory(vmRef, "changing_static_range", Map.of("memory_static_min", min, "memory_static_max", max), null);
    }

    /**
     * VM.set_memory_dynamic_range: Halted or Running. A running VM is given the top of its new range, as squeezed
     * does on a host with room (its whole static_max is reserved here at start), and ballooned to it.
     */
    public void setDynamicRange(String vmRef, long min, long max) {
        changeMemory(vmRef, "changing_dynamic_range", Map.of("memory_dynamic_min", min, "memory_dynamic_max", max),
                vm -> running(vm) ? max : Math.max(min, Math.min(max, vm.integer("memory_target"))));
        if (running(db.require("VM", vmRef))) balloon.target(vmRef, max);
    }

    private static boolean running(DbObject<?> vm) {
        String power = vm.string("power_state");
        return power.equals("Running") || power.equals("Paused");
    }

    /** Sets memory fields if {@code op} may run and the order holds; {@code target}, if given, gives memory_target. */
    private void changeMemory(String vmRef, String op, Map<String, Long> values, java.util.function.ToLongFunction<DbObject<?>> target) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            requireOp(vm, op);
            var m = new LinkedHashMap<String, Object>(vm.fields());
            m.putAll(values);
            assertMemoryOrder(m, "MEMORY_CONSTRAINT_VIOLATION_ORDER", null);
            if (target != null) m.put("memory_target", target.applyAsLong(vm));
            setMemory(tx, vm, m);
        });
    }

    private void setMemory(Database.Tx tx, DbObject<?> vm, Map<String, Object> m) {
        m.put("memory_overhead", overhead(m));
        for (String k : List.of("memory_static_min", "memory_static_max", "memory_dynamic_min", "memory_dynamic_max",
                "memory_target", "memory_overhead")) {
            if (!m.get(k).equals(vm.get(k))) tx.set("VM", vm.ref(), k, m.get(k));
        }
    }

    /** static_min ≤ dynamic_min ≤ dynamic_max ≤ static_max, else {@code code} (with {@code rule} as its parameter, if any). */
    static void assertMemoryOrder(Map<String, Object> f, String code, String rule) {
        long smin = (Long) f.get("memory_static_min");
        long dmin = (Long) f.get("memory_dynamic_min");
        long dmax = (Long) f.get("memory_dynamic_max");
        long smax = (Long) f.get("memory_static_max");
        if (smin < 0 || !(smin <= dmin && dmin <= dmax && dmax <= smax)) {
            throw rule == null ? ApiError.of(code) : ApiError.of(code, rule);
        }
    }

    /**
     * What running the VM costs beyond its memory: QEMU's own footprint and page tables. A QEMU process
     * needs tens of MiB whatever the guest; shadow/EPT tables about 1/128 of guest memory, a MiB a VCPU.
     */
    static long overhead(Map<String, Object> f) {
        long mib = 1 << 20;
        long smax = (Long) f.get("memory_static_max");
        long vcpus = Math.min((Long) f.get("VCPUs_max"), Integer.MAX_VALUE); // any count is accepted when set: no overflow
        long bytes = 32 * mib + smax / 128 + vcpus * mib;
        return (bytes + mib - 1) / mib * mib;
    }

    // ---- VCPUs -------------------------------------------------------------------------------

    static void validateVcpus(long max, long atStartup) {
        if (max < 1) throw ApiError.of("INVALID_VALUE", "VCPUs_max", Long.toString(max));
        if (atStartup < 1) throw ApiError.of("INVALID_VALUE", "VCPUs-at-startup", Long.toString(atStartup));
        if (atStartup > max) {
            throw ApiError.of("VALUE_NOT_SUPPORTED", "VCPUs-at-startup", Long.toString(atStartup), "value greater than VCPUs-max");
        }
    }

    public void setVcpusMax(String vmRef, long value) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            requireOp(vm, "changing_VCPUs");
            if (value < 1 || value < vm.integer("VCPUs_at_startup")) throw ApiError.of("INVALID_VALUE", VCPU_RULE, Long.toString(value));
            tx.set("VM", vmRef, "VCPUs_max", value);
            var m = new LinkedHashMap<String, Object>(vm.fields());
            m.put("VCPUs_max", value);
            tx.set("VM", vmRef, "memory_overhead", overhead(m));
        });
    }

    public void setVcpusAtStartup(String vmRef, long value) {
        db.write(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            requireOp(vm, "changing_VCPUs");
            if (value < 1 || value > vm.integer("VCPUs_max")) throw ApiError.of("INVALID_VALUE", VCPU_RULE, Long.toString(value));
            tx.set("VM", vmRef, "VCPUs_at_startup", value);
        });
    }

    // ---- devices -----------------------------------------------------------------------------

    /** The disk slots the VM's VBDs hold, by userdevice and by device. */
    Set<String> usedSlots(String vmRef) {
        var used = new java.util.HashSet<String>();
        for (String vbd : db.related("VM", "VBDs", vmRef)) {
            DbObject<?> b = db.get("VBD", vbd);
            if (b == null) continue;
            used.addAll(DeviceNumbers.slots(b.string("userdevice")));
            used.addAll(DeviceNumbers.slots(b.string("device")));
        }
        return used;
    }

    /** VM.get_allowed_VBD_devices: the free disk numbers 0..254, as strings. */
    public List<String> allowedVbdDevices(String vmRef) {
        db.require("VM", vmRef);
        Set<String> used = usedSlots(vmRef);
        var out = new ArrayList<String>();
        for (int n = 0; n <= DeviceNumbers.MAX_DISK; n++) {
            if (!used.contains(DeviceNumbers.ofDiskNumber(true, n).slot())) out.add(Integer.toString(n));
        }
        return out;
    }

    /** VM.get_allowed_VIF_devices: the free VIF numbers 0..15, as strings. */
    public List<String> allowedVifDevices(String vmRef) {
        db.require("VM", vmRef);
        var used = new java.util.HashSet<String>();
        for (String vif : db.related("VM", "VIFs", vmRef)) {
            DbObject<?> v = db.get("VIF", vif);
            if (v != null) used.add(v.string("device"));
        }
        var out = new ArrayList<String>();
        for (int n = 0; n <= DeviceNumbers.MAX_VIF; n++) if (!used.contains(Integer.toString(n))) out.add(Integer.toString(n));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> map(Object o) { return (Map<String, String>) o; }
}

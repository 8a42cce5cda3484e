package org.flotilla.host.vm;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.vm.VbdRecords;
import org.flotilla.vm.VmOperations;

/**
 * Writes what happened to a VM's QEMU into the database: running here, halted or suspended, rebooted,
 * paused, ballooned. Each is one transaction over the VM, its metrics, consoles, VBDs and VIFs, so that
 * event.from never shows a VM half started.
 */
final class PowerStateRecords {
    private final Database db;
    private final String hostRef;
    private final DomainIds domids;
    private final Consoles consoles;
    private final DeviceOperations deviceOps;
    private final HostMemory memory;
    private final NvramFiles nvram;
    private final Vtpms vtpms;

    PowerStateRecords(Database db, String hostRef, DomainIds domids, Consoles consoles, DeviceOperations deviceOps, HostMemory memory,
                      NvramFiles nvram, Vtpms vtpms) {
        this.nvram = nvram;
        this.vtpms = vtpms;
        this.db = db;
        this.hostRef = hostRef;
        this.domids = domids;
        this.consoles = consoles;
        this.deviceOps = deviceOps;
        this.memory = memory;
    }

    /** The VM runs (or is paused) here as domain {@code domid}: fresh metrics and console, devices attached. */
    void running(String vmRef, boolean paused, long overhead, long domid) {
        String power = paused ? "Paused" : "Running";
        db.write(tx -> {
            DbObject<?> cur = db.require("VM", vmRef);
            var m = new LinkedHashMap<String, Object>();
            m.put("memory_actual", cur.integer("memory_static_max"));
            m.put("VCPUs_number", Math.max(1, cur.integer("VCPUs_at_startup")));
            m.put("start_time", Instant.now());
            m.put("last_updated", Instant.now());
            m.put("state", List.of());
            m.put("hvm", true);
            m.put("current_domain_type", "hvm");
            String metrics = metricsOf(cur);
            if (metrics == null) {
                metrics = Refs.newRef();
                var full = new LinkedHashMap<String, Object>(m);
                full.put("uuid", Refs.newUuid());
                full.put("install_time", Instant.now());
                tx.put("VM_metrics", metrics, full);
            } else {
                String mr = metrics;
                m.forEach((k, v) -> tx.set("VM_metrics", mr, k, v));
            }
            consoles.stageFresh(tx, vmRef);
            // a resumed VM has the devices it was suspended with: those still marked attached
            if (!"Suspended".equals(cur.string("power_state"))) stageDevicesAttached(tx, vmRef, true);
            deviceOps.stageForVm(tx, vmRef, power, true);
            var changes = new LinkedHashMap<String, Object>();
            changes.put("power_state", power);
            changes.put("resident_on", hostRef);
            changes.put("domid", domid);
            changes.put("metrics", metrics);
            changes.put("memory_overhead", overhead);
            changes.put("domarch", "x64");
            VmOperations.stage(tx, cur, changes);
            Vtpms.stageAllowed(db, tx, VM.CLASS.ref(vmRef), VmPowerState.valueOf(power));
        });
        memory.publish();
    }

    /**
     * The VM's QEMU is gone: it is {@code state} (Halted, or Suspended with its image kept), resident nowhere,
     * and what its firmware and vTPM saved while it ran is its own again (VM.NVRAM, the VTPMs' secrets).
     */
    void stopped(String vmRef, String state) {
        DbObject<?> before = db.get("VM", vmRef);
        if (before == null) return;
        String efiVariables = nvram.read(before.uuid());
        Map<Ref<VTPM>, String> tpmStates = vtpms.read(VM.CLASS.ref(vmRef));
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            if (vm == null) return;
            NvramFiles.stage(tx, vm, efiVariables);
            vtpms.stage(tx, tpmStates);
            consoles.stageRemoval(tx, vmRef);
            // as XAPI: a suspended VM's devices stay marked attached; they come back with it at resume
            if (!"Suspended".equals(state)) stageDevicesAttached(tx, vmRef, false);
            String m = metricsOf(vm);
            if (m != null) {
                tx.set("VM_metrics", m, "memory_actual", 0L);
                tx.set("VM_metrics", m, "VCPUs_number", 0L);
                tx.set("VM_metrics", m, "last_updated", Instant.now());
            }
            deviceOps.stageForVm(tx, vmRef, state, "Suspended".equals(state) ? null : false);
            var changes = new LinkedHashMap<String, Object>();
            changes.put("power_state", state);
            changes.put("resident_on", ClassDef.NULL_REF);
            changes.put("domid", -1L);
            VmOperations.stage(tx, vm, changes);
            Vtpms.stageAllowed(db, tx, VM.CLASS.ref(vmRef), VmPowerState.valueOf(state));
        });
        memory.publish();
    }

    /** A new boot in the same QEMU: XAPI gives the domain a new id and the metrics a new start time. */
    void rebooted(String vmRef) {
        long domid = domids.next();
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            if (vm == null) return;
            String m = metricsOf(vm);
            if (m != null) tx.set("VM_metrics", m, "start_time", Instant.now());
            VmOperations.stage(tx, vm, Map.of("power_state", "Running", "domid", domid));
        });
    }

    /** Paused or Running again, in the same QEMU. */
    void power(String vmRef, String power) {
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            if (vm == null) return;
            deviceOps.stageForVm(tx, vmRef, power, null);
            VmOperations.stage(tx, vm, Map.of("power_state", power));
        });
    }

    /** The balloon driver reports how much memory the guest has now (BALLOON_CHANGE). */
    void memoryActual(String vmRef, long actual) {
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            String m = vm == null ? null : metricsOf(vm);
            if (m != null) {
                tx.set("VM_metrics", m, "memory_actual", actual);
                tx.set("VM_metrics", m, "last_updated", Instant.now());
            }
        });
    }

    private void stageDevicesAttached(Database.Tx tx, String vmRef, boolean attached) {
        for (String cls : List.of("VBD", "VIF")) {
            for (DbObject<?> dev : db.where(cls, o -> vmRef.equals(o.get("VM")))) {
                if (Boolean.TRUE.equals(dev.get("currently_attached")) != attached) tx.set(cls, dev.ref(), "currently_attached", attached);
                if (attached && cls.equals("VBD")) {
                    String name = VbdRecords.linuxDevice(dev.string("userdevice"));
                    if (!name.equals(dev.get("device"))) tx.set(cls, dev.ref(), "device", name);
                }
            }
        }
    }

    /** The VM's metrics record, or null if it has none (yet). */
    private String metricsOf(DbObject<?> vm) {
        String m = vm.string("metrics");
        return Refs.isNull(m) || db.get("VM_metrics", m) == null ? null : m;
    }
}

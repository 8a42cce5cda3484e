package org.flotilla.runtime.power;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.DomainType;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.console.Consoles;
import org.flotilla.runtime.devices.DeviceOperations;
import org.flotilla.runtime.domain.DomainIds;
import org.flotilla.runtime.domain.HostMemory;
import org.flotilla.runtime.launch.NvramFiles;
import org.flotilla.runtime.launch.Vtpms;
import org.flotilla.vm.Records;
import org.flotilla.vm.VbdRecords;
import org.flotilla.vm.VmAllowedOperations;

/**
 * Writes what happened to a VM's QEMU into the database: running here, halted or suspended, rebooted,
 * paused, ballooned. Each is one transaction over the VM, its metrics, consoles, VBDs and VIFs, so that
 * event.from never shows a VM half started.
 */
public final class PowerStateRecords {
    private final Database db;
    private final Ref<Host> hostRef;
    private final DomainIds domids;
    private final Consoles consoles;
    private final DeviceOperations deviceOps;
    private final HostMemory memory;
    private final NvramFiles nvram;
    private final Vtpms vtpms;

    public PowerStateRecords(Database db, Ref<Host> hostRef, DomainIds domids, Consoles consoles, DeviceOperations deviceOps, HostMemory memory,
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
    void running(Ref<VM> vm, boolean paused, long overhead, long domid) {
        VmPowerState power = paused ? VmPowerState.Paused : VmPowerState.Running;
        db.write(tx -> {
            DbObject<VM> cur = db.require(vm);
            Instant now = Instant.now();
            Rec<VM_metrics> m = Rec.empty(VM_metrics.CLASS)
                    .set(VM_metrics.memory_actual, cur.get(VM.memory_static_max))
                    .set(VM_metrics.VCPUs_number, Math.max(1, cur.get(VM.VCPUs_at_startup)))
                    .set(VM_metrics.start_time, now)
                    .set(VM_metrics.last_updated, now)
                    .set(VM_metrics.state, List.of())
                    .set(VM_metrics.hvm, true)
                    .set(VM_metrics.current_domain_type, DomainType.hvm);
            Ref<VM_metrics> metrics = metricsOf(cur);
            if (metrics == null) {
                metrics = Refs.newRef(VM_metrics.CLASS);
                tx.put(metrics, m.set(VM_metrics.uuid, Refs.newUuid()).set(VM_metrics.install_time, now));
            } else {
                Records.stage(tx, metrics, m);
            }
            consoles.stageFresh(tx, vm);
            // a resumed VM has the devices it was suspended with: those still marked attached
            if (cur.get(VM.power_state) != VmPowerState.Suspended) stageDevicesAttached(tx, vm, true);
            deviceOps.stageForVm(tx, vm, power, true);
            VmAllowedOperations.stage(tx, cur, VmAllowedOperations.changes()
                    .set(VM.power_state, power)
                    .set(VM.resident_on, hostRef)
                    .set(VM.domid, domid)
                    .set(VM.metrics, metrics)
                    .set(VM.memory_overhead, overhead)
                    .set(VM.domarch, "x64"));
            Vtpms.stageAllowed(db, tx, vm, power);
        });
        memory.publish();
    }

    /**
     * The VM's QEMU is gone: it is {@code state} (Halted, or Suspended with its image kept), resident nowhere,
     * and what its firmware and vTPM saved while it ran is its own again (VM.NVRAM, the VTPMs' secrets).
     */
    void stopped(Ref<VM> ref, VmPowerState state) {
        DbObject<VM> before = db.get(ref);
        if (before == null) return;
        String efiVariables = nvram.read(before.get(VM.uuid));
        Map<Ref<VTPM>, String> tpmStates = vtpms.read(ref);
        boolean suspended = state == VmPowerState.Suspended;
        db.write(tx -> {
            DbObject<VM> vm = db.get(ref);
            if (vm == null) return;
            NvramFiles.stage(tx, vm, efiVariables);
            vtpms.stage(tx, tpmStates);
            consoles.stageRemoval(tx, ref);
            // as XAPI: a suspended VM's devices stay marked attached; they come back with it at resume
            if (!suspended) stageDevicesAttached(tx, ref, false);
            Ref<VM_metrics> m = metricsOf(vm);
            if (m != null) {
                tx.set(m, VM_metrics.memory_actual, 0L);
                tx.set(m, VM_metrics.VCPUs_number, 0L);
                tx.set(m, VM_metrics.last_updated, Instant.now());
            }
            deviceOps.stageForVm(tx, ref, state, suspended ? null : false);
            VmAllowedOperations.stage(tx, vm, VmAllowedOperations.changes()
                    .set(VM.power_state, state)
                    .set(VM.resident_on, Host.CLASS.nullRef())
                    .set(VM.domid, -1L));
            Vtpms.stageAllowed(db, tx, ref, state);
        });
        memory.publish();
    }

    /** What this host has free, published again after a QEMU came or went without a change of the VM's power state. */
    void publishMemory() { memory.publish(); }

    /** A new boot in the same QEMU: XAPI gives the domain a new id and the metrics a new start time. */
    void rebooted(Ref<VM> ref) {
        long domid = domids.next();
        db.write(tx -> {
            DbObject<VM> vm = db.get(ref);
            if (vm == null) return;
            Ref<VM_metrics> m = metricsOf(vm);
            if (m != null) tx.set(m, VM_metrics.start_time, Instant.now());
            VmAllowedOperations.stage(tx, vm, VmAllowedOperations.changes().set(VM.power_state, VmPowerState.Running).set(VM.domid, domid));
        });
    }

    /** Paused or Running again, in the same QEMU. */
    void power(Ref<VM> ref, VmPowerState power) {
        db.write(tx -> {
            DbObject<VM> vm = db.get(ref);
            if (vm == null) return;
            deviceOps.stageForVm(tx, ref, power, null);
            VmAllowedOperations.stage(tx, vm, VmAllowedOperations.changes().set(VM.power_state, power));
        });
    }

    /** The balloon driver reports how much memory the guest has now (BALLOON_CHANGE). */
    void memoryActual(Ref<VM> ref, long actual) {
        db.write(tx -> {
            DbObject<VM> vm = db.get(ref);
            Ref<VM_metrics> m = vm == null ? null : metricsOf(vm);
            if (m != null) {
                tx.set(m, VM_metrics.memory_actual, actual);
                tx.set(m, VM_metrics.last_updated, Instant.now());
            }
        });
    }

    private void stageDevicesAttached(Database.Tx tx, Ref<VM> vm, boolean attached) {
        for (DbObject<VBD> b : db.referring(VBD.VM, vm)) {
            Ref<VBD> ref = b.self(VBD.CLASS);
            if (Boolean.TRUE.equals(b.get(VBD.currently_attached)) != attached) tx.set(ref, VBD.currently_attached, attached);
            if (attached) {
                String name = VbdRecords.linuxDevice(b.get(VBD.userdevice));
                if (!name.equals(b.get(VBD.device))) tx.set(ref, VBD.device, name);
            }
        }
        for (DbObject<VIF> v : db.referring(VIF.VM, vm)) {
            if (Boolean.TRUE.equals(v.get(VIF.currently_attached)) != attached) tx.set(v.self(VIF.CLASS), VIF.currently_attached, attached);
        }
    }

    /** The VM's metrics record, or null if it has none (yet). */
    private Ref<VM_metrics> metricsOf(DbObject<VM> vm) {
        Ref<VM_metrics> m = vm.get(VM.metrics);
        return m.isNull() || !db.exists(m) ? null : m;
    }
}

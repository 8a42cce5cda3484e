package org.flotilla.actions;

import java.util.List;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.metrics.DataSources;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Data_source;
import org.flotilla.model.xenapi.GPU_group;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VGPU;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.pool.Placement;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.vm.VmAllowedOperations;
import org.flotilla.vm.VmCloner;
import org.flotilla.vm.VmRecords;
import org.flotilla.vm.VmSubsystem;
import org.flotilla.model.xenapi.enums.VmSecurebootReadiness;

/**
 * VM's messages: its records and settings ({@link VmRecords}), copies and snapshots ({@link VmCloner}), its life
 * as a QEMU on this host ({@link VmRuntime}), where it may run ({@link Placement}) and its metrics over time ({@link DataSources}).
 */
public final class VmActions implements VM.Actions {
    private final VmRecords records;
    private final VmAllowedOperations operations;
    private final VmCloner cloner;
    private final VmRuntime runtime;
    private final DataSources dataSources;
    private final Placement placement;

    public VmActions(VmSubsystem vms, VmRuntime runtime, DataSources dataSources) {
        this.records = vms.vms();
        this.operations = vms.operations();
        this.cloner = vms.cloner();
        this.runtime = runtime;
        this.dataSources = dataSources;
        this.placement = runtime.placement();
    }

    @Override public VmSecurebootReadiness get_secureboot_readiness(Ref<VM> self) { return runtime.secureBootReadiness(self); }

    // ---- power -------------------------------------------------------------------------------------

    @Override public void start(Ref<VM> vm, boolean start_paused, boolean force) { runtime.start(Call.current(), vm, start_paused); }

    @Override
    public void start_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force) {
        runtime.startOn(Call.current(), vm, host, start_paused);
    }

    @Override
    public void pool_migrate(Ref<VM> vm, Ref<Host> host, Map<String, String> options) {
        runtime.poolMigrate(Call.current(), vm, host);
    }

    @Override
    public Ref<VM> migrate_send(Ref<VM> vm, Map<String, String> dest, boolean live, Map<Ref<VDI>, Ref<SR>> vdi_map,
                                Map<Ref<VIF>, Ref<Network>> vif_map, Map<String, String> options, Map<Ref<VGPU>, Ref<GPU_group>> vgpu_map) {
        return runtime.migrateSend(Call.current(), vm, dest, vdi_map, vif_map, options);
    }

    @Override
    public void assert_can_migrate(Ref<VM> vm, Map<String, String> dest, boolean live, Map<Ref<VDI>, Ref<SR>> vdi_map,
                                   Map<Ref<VIF>, Ref<Network>> vif_map, Map<String, String> options, Map<Ref<VGPU>, Ref<GPU_group>> vgpu_map) {
        runtime.assertCanMigrate(vm, dest, vdi_map, vif_map, options);
    }

    @Override public void pause(Ref<VM> vm) { runtime.pause(Call.current(), vm); }

    @Override public void unpause(Ref<VM> vm) { runtime.unpause(Call.current(), vm); }

    @Override public void clean_shutdown(Ref<VM> vm) { runtime.cleanShutdown(Call.current(), vm); }

    @Override public void shutdown(Ref<VM> vm) { runtime.shutdown(Call.current(), vm); }

    @Override public void clean_reboot(Ref<VM> vm) { runtime.cleanReboot(Call.current(), vm); }

    @Override public void hard_shutdown(Ref<VM> vm) { runtime.hardShutdown(Call.current(), vm); }

    @Override public void power_state_reset(Ref<VM> vm) { runtime.powerStateReset(vm); }

    @Override public void hard_reboot(Ref<VM> vm) { runtime.hardReboot(Call.current(), vm); }

    @Override public void suspend(Ref<VM> vm) { runtime.suspend(Call.current(), vm); }

    @Override public void resume(Ref<VM> vm, boolean start_paused, boolean force) { runtime.resume(Call.current(), vm, start_paused); }

    @Override
    public void resume_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force) {
        runtime.resumeOn(Call.current(), vm, host, start_paused);
    }

    // ---- records -----------------------------------------------------------------------------------

    @Override public Ref<VM> create(Rec<VM> args) { return records.create(args); }

    @Override public void destroy(Ref<VM> self) { records.destroy(self); }

    @Override public void set_is_a_template(Ref<VM> self, boolean value) { records.setIsATemplate(self, value); }

    @Override public void set_memory_dynamic_max(Ref<VM> self, long value) { records.setDynamicMax(self, value); }

    @Override public void set_memory_dynamic_min(Ref<VM> self, long value) { records.setDynamicMin(self, value); }

    @Override public void set_memory_dynamic_range(Ref<VM> self, long min, long max) { records.setDynamicRange(self, min, max); }

    @Override public void set_memory_static_max(Ref<VM> self, long value) { records.setStaticMax(self, value); }

    @Override public void set_memory_static_min(Ref<VM> self, long value) { records.setStaticMin(self, value); }

    @Override public void set_memory_static_range(Ref<VM> self, long min, long max) { records.setStaticRange(self, min, max); }

    @Override
    public void set_memory_limits(Ref<VM> self, long static_min, long static_max, long dynamic_min, long dynamic_max) {
        records.setMemoryLimits(self, static_min, static_max, dynamic_min, dynamic_max);
    }

    @Override public void set_memory(Ref<VM> self, long value) { records.setMemory(self, value); }

    @Override public void set_NVRAM(Ref<VM> self, Map<String, String> value) { records.setNvram(self, value); }

    @Override public void add_to_NVRAM(Ref<VM> self, String key, String value) { records.addToNvram(self, key, value); }

    @Override public void remove_from_NVRAM(Ref<VM> self, String key) { records.removeFromNvram(self, key); }

    @Override public void set_NVRAM_EFI_variables(Ref<VM> self, String value) { records.setNvramEfiVariables(self, value); }

    @Override public void set_VCPUs_max(Ref<VM> self, long value) { records.setVcpusMax(self, value); }

    @Override public void set_VCPUs_at_startup(Ref<VM> self, long value) { records.setVcpusAtStartup(self, value); }

    @Override public void set_actions_after_crash(Ref<VM> self, OnCrashBehaviour value) { records.setActionsAfterCrash(self, value); }

    @Override public List<String> get_allowed_VBD_devices(Ref<VM> vm) { return records.allowedVbdDevices(vm); }

    @Override public List<String> get_allowed_VIF_devices(Ref<VM> vm) { return records.allowedVifDevices(vm); }

    @Override public Rec<VM> get_boot_record(Ref<VM> self) { return records.bootRecord(self); }

    @Override public void assert_operation_valid(Ref<VM> self, VmOperations op) { operations.assertValid(self, op); }

    @Override public void update_allowed_operations(Ref<VM> self) { operations.update(self); }

    // ---- placement ---------------------------------------------------------------------------------

    @Override public void assert_can_boot_here(Ref<VM> self, Ref<Host> host) { placement.checks().assertCanBootHere(self, host); }

    @Override public void assert_agile(Ref<VM> self) { placement.agility().assertAgile(self); }

    @Override public List<Ref<Host>> get_possible_hosts(Ref<VM> vm) { return placement.choice().possibleHosts(vm); }

    // ---- data sources ------------------------------------------------------------------------------

    @Override public List<Rec<Data_source>> get_data_sources(Ref<VM> self) { return dataSources.of(runtime.requireHere(self)); }

    @Override public void record_data_source(Ref<VM> self, String data_source) { dataSources.record(runtime.requireHere(self), data_source); }

    @Override public double query_data_source(Ref<VM> self, String data_source) { return dataSources.query(runtime.requireHere(self), data_source); }

    @Override public void forget_data_source_archives(Ref<VM> self, String data_source) { dataSources.forget(runtime.requireHere(self), data_source); }

    // ---- copies ------------------------------------------------------------------------------------

    @Override public Ref<VM> clone(Ref<VM> vm, String new_name) { return cloner.cloneVm(vm, new_name, Call.current().task()); }

    @Override public Ref<VM> copy(Ref<VM> vm, String new_name, Ref<SR> sr) { return cloner.copy(vm, new_name, sr, Call.current().task()); }

    @Override public void provision(Ref<VM> vm) { cloner.provision(vm, Call.current().task()); }

    @Override
    public Ref<VM> snapshot(Ref<VM> vm, String new_name, List<Ref<VDI>> ignore_vdis) {
        return runtime.snapshot(Call.current(), vm, new_name, ignore_vdis, cloner);
    }

    @Override public Ref<VM> checkpoint(Ref<VM> vm, String new_name) { return runtime.checkpoint(Call.current(), vm, new_name, cloner); }

    @Override public void revert(Ref<VM> snapshot) { cloner.revert(snapshot, Call.current().task()); }
}

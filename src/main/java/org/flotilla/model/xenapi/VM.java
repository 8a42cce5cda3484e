package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Default;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.DomainType;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.OnNormalExit;
import org.flotilla.model.xenapi.enums.OnSoftrebootBehavior;
import org.flotilla.model.xenapi.enums.UpdateGuidances;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/** The XenAPI's class VM. */
public interface VM {
    ApiClass<VM> CLASS = ApiClass.declare(VM.class, "VM");

    Field<VM, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VM, List<VmOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VmOperations.class)));
    Field<VM, Map<String, VmOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VmOperations.class)));
    Field<VM, String> name_label = CLASS.rw("name_label", STRING);
    Field<VM, String> name_description = CLASS.rw("name_description", STRING);
    Field<VM, VmPowerState> power_state = CLASS.ro("power_state", enumOf(VmPowerState.class));
    Field<VM, Long> user_version = CLASS.rw("user_version", INT);
    Field<VM, Boolean> is_a_template = CLASS.rw("is_a_template", BOOL);
    Field<VM, Boolean> is_default_template = CLASS.dyn("is_default_template", BOOL);
    Field<VM, Ref<VDI>> suspend_VDI = CLASS.ro("suspend_VDI", ref(VDI.class));
    Field<VM, Ref<Host>> resident_on = CLASS.dyn("resident_on", ref(Host.class));
    Field<VM, Ref<Host>> scheduled_to_be_resident_on = CLASS.dyn("scheduled_to_be_resident_on", ref(Host.class));
    Field<VM, Ref<Host>> affinity = CLASS.rw("affinity", ref(Host.class));
    Field<VM, Long> memory_overhead = CLASS.dyn("memory_overhead", INT);
    Field<VM, Long> memory_target = CLASS.ro("memory_target", INT);
    Field<VM, Long> memory_static_max = CLASS.ro("memory_static_max", INT);
    Field<VM, Long> memory_dynamic_max = CLASS.ro("memory_dynamic_max", INT);
    Field<VM, Long> memory_dynamic_min = CLASS.ro("memory_dynamic_min", INT);
    Field<VM, Long> memory_static_min = CLASS.ro("memory_static_min", INT);
    Field<VM, Map<String, String>> VCPUs_params = CLASS.rw("VCPUs_params", STRING_MAP);
    Field<VM, Long> VCPUs_max = CLASS.ro("VCPUs_max", INT);
    Field<VM, Long> VCPUs_at_startup = CLASS.ro("VCPUs_at_startup", INT);
    Field<VM, OnSoftrebootBehavior> actions_after_softreboot = CLASS.rw("actions_after_softreboot", enumOf(OnSoftrebootBehavior.class));
    Field<VM, OnNormalExit> actions_after_shutdown = CLASS.rw("actions_after_shutdown", enumOf(OnNormalExit.class));
    Field<VM, OnNormalExit> actions_after_reboot = CLASS.rw("actions_after_reboot", enumOf(OnNormalExit.class));
    Field<VM, OnCrashBehaviour> actions_after_crash = CLASS.ro("actions_after_crash", enumOf(OnCrashBehaviour.class));
    Relation<VM, Console> consoles = CLASS.relation("consoles", () -> Console.VM);
    Relation<VM, VIF> VIFs = CLASS.relation("VIFs", () -> VIF.VM);
    Relation<VM, VBD> VBDs = CLASS.relation("VBDs", () -> VBD.VM);
    Relation<VM, VUSB> VUSBs = CLASS.relation("VUSBs", () -> VUSB.VM);
    Relation<VM, Crashdump> crash_dumps = CLASS.relation("crash_dumps", () -> Crashdump.VM);
    Relation<VM, VTPM> VTPMs = CLASS.relation("VTPMs", () -> VTPM.VM);
    Field<VM, String> PV_bootloader = CLASS.rw("PV_bootloader", STRING);
    Field<VM, String> PV_kernel = CLASS.rw("PV_kernel", STRING);
    Field<VM, String> PV_ramdisk = CLASS.rw("PV_ramdisk", STRING);
    Field<VM, String> PV_args = CLASS.rw("PV_args", STRING);
    Field<VM, String> PV_bootloader_args = CLASS.rw("PV_bootloader_args", STRING);
    Field<VM, String> PV_legacy_args = CLASS.rw("PV_legacy_args", STRING);
    Field<VM, String> HVM_boot_policy = CLASS.ro("HVM_boot_policy", STRING);
    Field<VM, Map<String, String>> HVM_boot_params = CLASS.rw("HVM_boot_params", STRING_MAP);
    Field<VM, Double> HVM_shadow_multiplier = CLASS.ro("HVM_shadow_multiplier", FLOAT, 1.0);
    Field<VM, Map<String, String>> platform = CLASS.rw("platform", STRING_MAP);
    Field<VM, String> PCI_bus = CLASS.rw("PCI_bus", STRING);
    Field<VM, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VM, Long> domid = CLASS.dyn("domid", INT);
    Field<VM, String> domarch = CLASS.dyn("domarch", STRING);
    Field<VM, Map<String, String>> last_boot_CPU_flags = CLASS.ro("last_boot_CPU_flags", STRING_MAP);
    Field<VM, Boolean> is_control_domain = CLASS.dyn("is_control_domain", BOOL);
    Field<VM, Ref<VM_metrics>> metrics = CLASS.dyn("metrics", ref(VM_metrics.class));
    Field<VM, Ref<VM_guest_metrics>> guest_metrics = CLASS.dyn("guest_metrics", ref(VM_guest_metrics.class));
    Field<VM, String> last_booted_record = CLASS.ro("last_booted_record", STRING);
    Field<VM, String> recommendations = CLASS.rw("recommendations", STRING);
    Field<VM, Map<String, String>> xenstore_data = CLASS.rw("xenstore_data", STRING_MAP);
    Field<VM, Boolean> ha_always_run = CLASS.ro("ha_always_run", BOOL);
    Field<VM, String> ha_restart_priority = CLASS.ro("ha_restart_priority", STRING);
    Field<VM, Boolean> is_a_snapshot = CLASS.dyn("is_a_snapshot", BOOL);
    Field<VM, Ref<VM>> snapshot_of = CLASS.dyn("snapshot_of", ref(VM.class));
    Relation<VM, VM> snapshots = CLASS.relation("snapshots", () -> VM.snapshot_of);
    Field<VM, Instant> snapshot_time = CLASS.dyn("snapshot_time", DATETIME);
    Field<VM, String> transportable_snapshot_id = CLASS.dyn("transportable_snapshot_id", STRING);
    Field<VM, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)));
    Field<VM, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<VM, Map<VmOperations, String>> blocked_operations = CLASS.rw("blocked_operations", mapOf(enumOf(VmOperations.class), STRING));
    Field<VM, Map<String, String>> snapshot_info = CLASS.dyn("snapshot_info", STRING_MAP);
    Field<VM, String> snapshot_metadata = CLASS.dyn("snapshot_metadata", STRING);
    Field<VM, Ref<VM>> parent = CLASS.dyn("parent", ref(VM.class));
    Relation<VM, VM> children = CLASS.relation("children", () -> VM.parent);
    Field<VM, Map<String, String>> bios_strings = CLASS.dyn("bios_strings", STRING_MAP);
    Field<VM, Ref<VMPP>> protection_policy = CLASS.ro("protection_policy", ref(VMPP.class));
    Field<VM, Ref<VMSS>> snapshot_schedule = CLASS.ro("snapshot_schedule", ref(VMSS.class));
    Field<VM, Boolean> is_vmss_snapshot = CLASS.ro("is_vmss_snapshot", BOOL);
    Field<VM, Ref<VM_appliance>> appliance = CLASS.ro("appliance", ref(VM_appliance.class));
    Field<VM, Long> start_delay = CLASS.ro("start_delay", INT);
    Field<VM, Long> shutdown_delay = CLASS.ro("shutdown_delay", INT);
    Field<VM, Long> order = CLASS.ro("order", INT);
    Relation<VM, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.VM);
    Field<VM, List<Ref<PCI>>> attached_PCIs = CLASS.dyn("attached_PCIs", setOf(ref(PCI.class)));
    Field<VM, Ref<SR>> suspend_SR = CLASS.rw("suspend_SR", ref(SR.class));
    Field<VM, Long> version = CLASS.ro("version", INT);
    Field<VM, String> generation_id = CLASS.ro("generation_id", STRING, "0:0");
    Field<VM, Long> hardware_platform_version = CLASS.rw("hardware_platform_version", INT);
    Field<VM, Boolean> has_vendor_device = CLASS.ro("has_vendor_device", BOOL);
    Field<VM, Boolean> requires_reboot = CLASS.dyn("requires_reboot", BOOL);
    Field<VM, String> reference_label = CLASS.ro("reference_label", STRING);
    Field<VM, DomainType> domain_type = CLASS.ro("domain_type", enumOf(DomainType.class), DomainType.unspecified);
    Field<VM, Map<String, String>> NVRAM = CLASS.ro("NVRAM", STRING_MAP);
    Field<VM, List<UpdateGuidances>> pending_guidances = CLASS.dyn("pending_guidances", setOf(enumOf(UpdateGuidances.class)));
    Field<VM, List<UpdateGuidances>> pending_guidances_recommended = CLASS.dyn("pending_guidances_recommended", setOf(enumOf(UpdateGuidances.class)));
    Field<VM, List<UpdateGuidances>> pending_guidances_full = CLASS.dyn("pending_guidances_full", setOf(enumOf(UpdateGuidances.class)));

    /** The messages of VM that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Boot a halted VM on this host")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "VM_HVM_REQUIRED", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY", "VDI_MISSING", "SR_BACKEND_FAILURE"})
        void start(Ref<VM> vm, boolean start_paused, boolean force);

        @Doc("Boot a halted VM on the given host")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY"})
        void start_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force);

        @Doc("Stop a running VM's vCPUs, keeping its memory")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void pause(Ref<VM> vm);

        @Doc("Let a paused VM's vCPUs run again")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void unpause(Ref<VM> vm);

        @Doc("Press the VM's power button and wait for the guest to power off")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_SHUTDOWN_TIMEOUT"})
        void clean_shutdown(Ref<VM> vm);

        @Doc("Shut the VM down cleanly, and hard if the guest does not respond")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void shutdown(Ref<VM> vm);

        @Doc("Press the VM's power button, wait for the guest to power off, then boot it again")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_SHUTDOWN_TIMEOUT"})
        void clean_reboot(Ref<VM> vm);

        @Doc("Stop the VM at once, without asking the guest")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void hard_shutdown(Ref<VM> vm);

        @Doc("Reset the VM at once and boot it again")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void hard_reboot(Ref<VM> vm);

        @Doc("Save a running VM's memory to a disk on the suspend SR and stop it")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_NO_SUSPEND_SR"})
        void suspend(Ref<VM> vm);

        @Doc("Start a suspended VM again from its saved memory")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "HOST_NOT_ENOUGH_FREE_MEMORY"})
        void resume(Ref<VM> vm, boolean start_paused, boolean force);

        @Doc("Start a suspended VM again from its saved memory, on the given host")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "HOST_NOT_ENOUGH_FREE_MEMORY"})
        void resume_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force);

        @Doc("Create a new VM instance, and return its handle.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION", "INVALID_VALUE", "VALUE_NOT_SUPPORTED"})
        Ref<VM> create(Rec<VM> args);

        @Doc("Destroy the specified VM. The VM is completely removed from the system. This function can only be called when the VM is in the Halted State.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "VM_CANNOT_DELETE_DEFAULT_TEMPLATE", "OPERATION_BLOCKED"})
        void destroy(Ref<VM> self);

        @Doc("Turn the VM into a template, or a template into a VM")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void set_is_a_template(Ref<VM> self, boolean value);

        @Doc("Change memory_dynamic_max, keeping the memory constraints")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_max(Ref<VM> self, long value);

        @Doc("Change memory_dynamic_min, keeping the memory constraints")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_min(Ref<VM> self, long value);

        @Doc("Change the range ballooning may move the VM's memory in")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_range(Ref<VM> self, long min, long max);

        @Doc("Change memory_static_max, keeping the memory constraints")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_max(Ref<VM> self, long value);

        @Doc("Change memory_static_min, keeping the memory constraints")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_min(Ref<VM> self, long value);

        @Doc("Change the memory range fixed at boot")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_range(Ref<VM> self, long min, long max);

        @Doc("Change all four memory limits at once")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_limits(Ref<VM> self, long static_min, long static_max, long dynamic_min, long dynamic_max);

        @Doc("Give the VM one fixed amount of memory")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory(Ref<VM> self, long value);

        @Doc("Replace the firmware's saved variables of a halted VM")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void set_NVRAM(Ref<VM> self, Map<String, String> value);

        @Doc("Add one entry to the firmware's saved variables of a halted VM")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE", "MAP_DUPLICATE_KEY"})
        void add_to_NVRAM(Ref<VM> self, String key, String value);

        @Doc("Remove one entry from the firmware's saved variables of a halted VM")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void remove_from_NVRAM(Ref<VM> self, String key);

        @Doc("Replace the UEFI variable store kept under NVRAM:EFI-variables")
        void set_NVRAM_EFI_variables(Ref<VM> self, String value);

        @Doc("Change how many vCPUs a halted VM may have")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE", "VM_BAD_POWER_STATE"})
        void set_VCPUs_max(Ref<VM> self, long value);

        @Doc("Change how many vCPUs a halted VM boots with")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE"})
        void set_VCPUs_at_startup(Ref<VM> self, long value);

        @Doc("Choose what happens to the VM when its guest crashes")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_actions_after_crash(Ref<VM> self, OnCrashBehaviour value);

        @Doc("The VBD device numbers still free on this VM")
        @Api(role = Access.READ_ONLY)
        List<String> get_allowed_VBD_devices(Ref<VM> vm);

        @Doc("The VIF device numbers still free on this VM")
        @Api(role = Access.READ_ONLY)
        List<String> get_allowed_VIF_devices(Ref<VM> vm);

        @Doc("The metrics recorded over time for this VM while it runs on a host")
        @Api(role = Access.READ_ONLY)
        List<Rec<Data_source>> get_data_sources(Ref<VM> self);

        @Doc("Begin archiving a metric of this running VM")
        @Api(role = Access.VM_ADMIN)
        void record_data_source(Ref<VM> self, String data_source);

        @Doc("A metric's most recent value, the average of the last 5-second step")
        @Api(role = Access.READ_ONLY)
        double query_data_source(Ref<VM> self, String data_source);

        @Doc("Drop the history recorded for a metric of this VM")
        @Api(role = Access.VM_ADMIN)
        void forget_data_source_archives(Ref<VM> self, String data_source);

        @Doc("Returns a record describing the VM's dynamic state, initialised when the VM boots and updated to reflect runtime configuration changes, for example CPU hotplug")
        @Api(role = Access.READ_ONLY)
        Rec<VM> get_boot_record(Ref<VM> self);

        @Doc("Fail with the reason if the operation is not allowed now")
        @Api(role = Access.READ_ONLY, async = true)
        void assert_operation_valid(Ref<VM> self, VmOperations op);

        @Doc("Compute allowed_operations again")
        @Api(async = true)
        void update_allowed_operations(Ref<VM> self);

        @Doc("Clones the specified VM, making a new VM. Clone automatically exploits the capabilities of the underlying storage repository in which the VM's disk images are stored (for example, Copy on Write). This function can only be called when the VM is in the Halted State.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        Ref<VM> clone(Ref<VM> vm, String new_name);

        @Doc("Copies the specified VM, making a new VM. Unlike clone, copy does not exploit the capabilities of the underlying storage repository; the disk images of the new VM are full disks, not part of a CoW chain. This function can only be called when the VM is in the Halted State.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        Ref<VM> copy(Ref<VM> vm, String new_name, Ref<SR> sr);

        @Doc("Make the disks other_config:disks lists, and attach them")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        void provision(Ref<VM> vm);

        @Doc("Snapshots the specified VM, making a new VM. Snapshot automatically exploits the capabilities of the underlying storage repository in which the VM's disk images are stored (for example, Copy on Write).")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED"})
        Ref<VM> snapshot(Ref<VM> vm, String new_name, @Default("[]") List<Ref<VDI>> ignore_vdis);

        @Doc("Bring the VM back to this snapshot")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "SR_FULL", "VM_REVERT_FAILED"})
        void revert(Ref<VM> snapshot);
    }
}

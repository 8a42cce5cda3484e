package org.flotilla.model.xenapi;

import static org.flotilla.model.Type.*;

import java.util.List;
import static org.flotilla.model.MessageBuilder.msg;

import java.util.Map;
import static org.flotilla.model.MessageBuilder.msg;

import org.flotilla.model.ClassDef;
import org.flotilla.model.Access;
import org.flotilla.model.Type;

final class VmClasses {
    /** What every power operation can fail with, as XAPI declares them. */
    private static final String[] POWER_OPERATION_ERRORS =
            {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"};

    private VmClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(recordMessages(vm()), vmMetrics(), vmGuestMetrics(), vmpp(), vmss(), vmAppliance(), console(), crashdump(), vtpm());
    }

    static ClassDef.Builder vm() {
        return ClassDef.of("VM", "")
                .dyn("allowed_operations", setOf(Enums.VM_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VM_OPERATIONS))
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .ro("power_state", Enums.VM_POWER_STATE, "Halted")
                .rw("user_version", INT)
                .rw("is_a_template", BOOL)
                .dyn("is_default_template", BOOL)
                .ro("suspend_VDI", ref("VDI"))
                .dyn("resident_on", ref("host"))
                .dyn("scheduled_to_be_resident_on", ref("host"))
                .rw("affinity", ref("host"))
                .dyn("memory_overhead", INT)
                .ro("memory_target", INT)
                .ro("memory_static_max", INT)
                .ro("memory_dynamic_max", INT)
                .ro("memory_dynamic_min", INT)
                .ro("memory_static_min", INT)
                .rw("VCPUs_params", mapOf(STRING, STRING))
                .ro("VCPUs_max", INT)
                .ro("VCPUs_at_startup", INT)
                .rw("actions_after_softreboot", Enums.ON_SOFTREBOOT_BEHAVIOR, "soft_reboot")
                .rw("actions_after_shutdown", Enums.ON_NORMAL_EXIT)
                .rw("actions_after_reboot", Enums.ON_NORMAL_EXIT)
                .ro("actions_after_crash", Enums.ON_CRASH_BEHAVIOUR)
                .relation("consoles", "console", "VM")
                .relation("VIFs", "VIF", "VM")
                .relation("VBDs", "VBD", "VM")
                .relation("VUSBs", "VUSB", "VM")
                .relation("crash_dumps", "crashdump", "VM")
                .relation("VTPMs", "VTPM", "VM")
                .rw("PV_bootloader", STRING)
                .rw("PV_kernel", STRING)
                .rw("PV_ramdisk", STRING)
                .rw("PV_args", STRING)
                .rw("PV_bootloader_args", STRING)
                .rw("PV_legacy_args", STRING)
                .ro("HVM_boot_policy", STRING)
                .rw("HVM_boot_params", mapOf(STRING, STRING))
                .ro("HVM_shadow_multiplier", FLOAT, 1.0)
                .rw("platform", mapOf(STRING, STRING))
                .rw("PCI_bus", STRING)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("domid", INT)
                .dyn("domarch", STRING)
                .ro("last_boot_CPU_flags", mapOf(STRING, STRING))
                .dyn("is_control_domain", BOOL)
                .dyn("metrics", ref("VM_metrics"))
                .dyn("guest_metrics", ref("VM_guest_metrics"))
                .ro("last_booted_record", STRING)
                .rw("recommendations", STRING)
                .rw("xenstore_data", mapOf(STRING, STRING))
                .ro("ha_always_run", BOOL)
                .ro("ha_restart_priority", STRING)
                .dyn("is_a_snapshot", BOOL)
                .dyn("snapshot_of", ref("VM"))
                .relation("snapshots", "VM", "snapshot_of")
                .dyn("snapshot_time", DATETIME)
                .dyn("transportable_snapshot_id", STRING)
                .dyn("blobs", mapOf(STRING, ref("blob")))
                .rw("tags", setOf(STRING))
                .rw("blocked_operations", mapOf(Enums.VM_OPERATIONS, STRING))
                .dyn("snapshot_info", mapOf(STRING, STRING))
                .dyn("snapshot_metadata", STRING)
                .dyn("parent", ref("VM"))
                .relation("children", "VM", "parent")
                .dyn("bios_strings", mapOf(STRING, STRING))
                .ro("protection_policy", ref("VMPP"))
                .ro("snapshot_schedule", ref("VMSS"))
                .ro("is_vmss_snapshot", BOOL)
                .ro("appliance", ref("VM_appliance"))
                .ro("start_delay", INT)
                .ro("shutdown_delay", INT)
                .ro("order", INT)
                .relation("VGPUs", "VGPU", "VM")
                .dyn("attached_PCIs", setOf(ref("PCI")))
                .rw("suspend_SR", ref("SR"))
                .ro("version", INT)
                .ro("generation_id", STRING, "0:0")
                .rw("hardware_platform_version", INT)
                .ro("has_vendor_device", BOOL)
                .dyn("requires_reboot", BOOL)
                .ro("reference_label", STRING)
                .ro("domain_type", Enums.DOMAIN_TYPE, "unspecified")
                .ro("NVRAM", mapOf(STRING, STRING))
                .dyn("pending_guidances", setOf(Enums.UPDATE_GUIDANCES))
                .dyn("pending_guidances_recommended", setOf(Enums.UPDATE_GUIDANCES))
                .dyn("pending_guidances_full", setOf(Enums.UPDATE_GUIDANCES))
                // power operations (datamodel_vm.ml), carried out by the host's VM runtime (org.flotilla.host.vm)
                .message(msg("start").async().param("vm", ref("VM")).param("start_paused", BOOL).param("force", BOOL)
                        .errors("VM_BAD_POWER_STATE", "VM_HVM_REQUIRED", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS",
                                "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY", "VDI_MISSING", "SR_BACKEND_FAILURE")
                        .doc("Boot a halted VM on this host"))
                .message(msg("start_on").async().param("vm", ref("VM")).param("host", ref("host"))
                        .param("start_paused", BOOL).param("force", BOOL)
                        .errors("VM_BAD_POWER_STATE", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED",
                                "HOST_NOT_ENOUGH_FREE_MEMORY")
                        .doc("Boot a halted VM on the given host"))
                .message(msg("pause").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS)
                        .doc("Stop a running VM's vCPUs, keeping its memory"))
                .message(msg("unpause").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS)
                        .doc("Let a paused VM's vCPUs run again"))
                .message(msg("clean_shutdown").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS).errors("VM_SHUTDOWN_TIMEOUT")
                        .doc("Press the VM's power button and wait for the guest to power off"))
                .message(msg("shutdown").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS)
                        .doc("Shut the VM down cleanly, and hard if the guest does not respond"))
                .message(msg("clean_reboot").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS).errors("VM_SHUTDOWN_TIMEOUT")
                        .doc("Press the VM's power button, wait for the guest to power off, then boot it again"))
                .message(msg("hard_shutdown").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS)
                        .doc("Stop the VM at once, without asking the guest"))
                .message(msg("hard_reboot").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS)
                        .doc("Reset the VM at once and boot it again"))
                .message(msg("suspend").async().param("vm", ref("VM"))
                        .errors(POWER_OPERATION_ERRORS).errors("VM_NO_SUSPEND_SR")
                        .doc("Save a running VM's memory to a disk on the suspend SR and stop it"))
                .message(msg("resume").async().param("vm", ref("VM")).param("start_paused", BOOL).param("force", BOOL)
                        .errors(POWER_OPERATION_ERRORS).errors("HOST_NOT_ENOUGH_FREE_MEMORY")
                        .doc("Start a suspended VM again from its saved memory"))
                .message(msg("resume_on").async().param("vm", ref("VM")).param("host", ref("host"))
                        .param("start_paused", BOOL).param("force", BOOL)
                        .errors(POWER_OPERATION_ERRORS).errors("HOST_NOT_ENOUGH_FREE_MEMORY")
                        .doc("Start a suspended VM again from its saved memory, on the given host"));
    }

    static ClassDef.Builder vmMetrics() {
        return ClassDef.of("VM_metrics", "")
                .dyn("VCPUs_utilisation", mapOf(INT, FLOAT)) // removed from XAPI 8 but read by clients of 7.x
                .dyn("memory_actual", INT)
                .dyn("VCPUs_number", INT)
                .dyn("VCPUs_CPU", mapOf(INT, INT))
                .dyn("VCPUs_params", mapOf(STRING, STRING))
                .dyn("VCPUs_flags", mapOf(INT, setOf(STRING)))
                .dyn("state", setOf(STRING))
                .dyn("start_time", DATETIME)
                .dyn("install_time", DATETIME)
                .dyn("last_updated", DATETIME)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("hvm", BOOL)
                .dyn("nested_virt", BOOL)
                .dyn("nomigrate", BOOL)
                .dyn("current_domain_type", Enums.DOMAIN_TYPE, "unspecified");
    }

    static ClassDef.Builder vmGuestMetrics() {
        return ClassDef.of("VM_guest_metrics", "")
                .dyn("os_version", mapOf(STRING, STRING))
                .dyn("PV_drivers_version", mapOf(STRING, STRING))
                .dyn("PV_drivers_up_to_date", BOOL)
                .dyn("networks", mapOf(STRING, STRING))
                .dyn("other", mapOf(STRING, STRING))
                .dyn("last_updated", DATETIME)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("live", BOOL)
                .dyn("can_use_hotplug_vbd", Enums.TRISTATE_TYPE, "unspecified")
                .dyn("can_use_hotplug_vif", Enums.TRISTATE_TYPE, "unspecified")
                .dyn("PV_drivers_detected", BOOL);
    }

    static ClassDef.Builder vmpp() {
        return ClassDef.of("VMPP", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING);
    }

    static ClassDef.Builder vmss() {
        return ClassDef.of("VMSS", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .rw("enabled", BOOL, true)
                .ro("type", Enums.VMSS_TYPE)
                .ro("retained_snapshots", INT, 7L)
                .ro("frequency", Enums.VMSS_FREQUENCY)
                .ro("schedule", mapOf(STRING, STRING))
                .dyn("last_run_time", DATETIME)
                .relation("VMs", "VM", "snapshot_schedule");
    }

    static ClassDef.Builder vmAppliance() {
        return ClassDef.of("VM_appliance", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.VM_APPLIANCE_OPERATION))
                .dyn("current_operations", mapOf(STRING, Enums.VM_APPLIANCE_OPERATION))
                .relation("VMs", "VM", "appliance");
    }

    static ClassDef.Builder console() {
        return ClassDef.of("console", "")
                .dyn("protocol", Enums.CONSOLE_PROTOCOL)
                .dyn("location", STRING)
                .dyn("VM", ref("VM"))
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder crashdump() {
        return ClassDef.of("crashdump", "")
                .ro("VM", ref("VM"))
                .ro("VDI", ref("VDI"))
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder vtpm() {
        return ClassDef.of("VTPM", "")
                .dyn("allowed_operations", setOf(Enums.VTPM_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VTPM_OPERATIONS))
                .ro("VM", ref("VM"))
                .dyn("backend", ref("VM"))
                .dyn("persistence_backend", Enums.PERSISTENCE_BACKEND, "xapi")
                .ro("is_unique", BOOL)
                .dyn("is_protected", BOOL)
                // XAPI keeps this reference internal; here it is visible, the secret's value is not logged
                .dyn("contents", ref("secret"))
                .message(msg("create").async().role(Access.VM_ADMIN).param("vM", ref("VM")).param("is_unique", BOOL)
                        .returns(ref("VTPM")).errors("FEATURE_RESTRICTED", "VTPM_MAX_AMOUNT_REACHED", "VM_BAD_POWER_STATE")
                        .doc("Give a halted VM a virtual TPM, with empty state"))
                .message(msg("destroy").async().role(Access.VM_ADMIN).param("self", ref("VTPM")).errors("VM_BAD_POWER_STATE")
                        .doc("Remove a virtual TPM and everything stored in it"))
                // XAPI lets only the local root (its TPM daemon) call these two; the pool admin is the nearest role here
                .message(msg("get_contents").async().role(Access.POOL_ADMIN).param("self", ref("VTPM")).returns(STRING)
                        .doc("The TPM's saved state, base64-encoded"))
                .message(msg("set_contents").async().role(Access.POOL_ADMIN).param("self", ref("VTPM")).param("contents", STRING)
                        .doc("Replace the TPM's saved state (base64) with new contents, used from its next boot"));
    }

    /**
     * The VM messages of the records side (xapi_vm.ml, xapi_vm_clone.ml, xapi_templates.ml): creation,
     * destruction, memory and VCPU settings, devices, templates, clone/copy/provision/snapshot/revert.
     * Parameters, asynchrony (XAPI: every call without flags [`Session]) and roles as datamodel_vm.ml.
     */
    static ClassDef.Builder recordMessages(ClassDef.Builder vm) {
        Type self = ref("VM");
        return vm
                .message(msg("create").async().role(Access.VM_ADMIN).param("args", record("VM")).returns(self)
                        .errors("MEMORY_CONSTRAINT_VIOLATION", "INVALID_VALUE", "VALUE_NOT_SUPPORTED")
                        .doc("Create a new VM instance, and return its handle."))
                .message(msg("destroy").async().role(Access.VM_ADMIN).param("self", self)
                        .errors("VM_BAD_POWER_STATE", "VM_CANNOT_DELETE_DEFAULT_TEMPLATE", "OPERATION_BLOCKED")
                        .doc("Destroy the specified VM. The VM is completely removed from the system. This function can only be called when the VM is in the Halted State."))
                .message(msg("set_is_a_template").param("self", self).param("value", BOOL).role(Access.VM_ADMIN)
                        .errors("VM_BAD_POWER_STATE").doc("Turn the VM into a template, or a template into a VM"))
                .message(msg("set_memory_dynamic_max").role(Access.VM_POWER_ADMIN).param("self", self).param("value", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER").doc("Change memory_dynamic_max, keeping the memory constraints"))
                .message(msg("set_memory_dynamic_min").role(Access.VM_POWER_ADMIN).param("self", self).param("value", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER").doc("Change memory_dynamic_min, keeping the memory constraints"))
                .message(msg("set_memory_dynamic_range").async().role(Access.VM_POWER_ADMIN).param("self", self)
                        .param("min", INT).param("max", INT).errors("MEMORY_CONSTRAINT_VIOLATION_ORDER")
                        .doc("Change the range ballooning may move the VM's memory in"))
                .message(msg("set_memory_static_max").role(Access.VM_POWER_ADMIN).param("self", self).param("value", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE").doc("Change memory_static_max, keeping the memory constraints"))
                .message(msg("set_memory_static_min").role(Access.VM_POWER_ADMIN).param("self", self).param("value", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE").doc("Change memory_static_min, keeping the memory constraints"))
                .message(msg("set_memory_static_range").async().role(Access.VM_POWER_ADMIN).param("self", self)
                        .param("min", INT).param("max", INT).errors("MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE")
                        .doc("Change the memory range fixed at boot"))
                .message(msg("set_memory_limits").async().role(Access.VM_POWER_ADMIN).param("self", self)
                        .param("static_min", INT).param("static_max", INT).param("dynamic_min", INT).param("dynamic_max", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE").doc("Change all four memory limits at once"))
                .message(msg("set_memory").async().role(Access.VM_POWER_ADMIN).param("self", self).param("value", INT)
                        .errors("MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE")
                        .doc("Give the VM one fixed amount of memory"))
                .message(msg("set_NVRAM").role(Access.VM_ADMIN).param("self", self).param("value", mapOf(STRING, STRING))
                        .errors("VM_BAD_POWER_STATE").doc("Replace the firmware's saved variables of a halted VM"))
                .message(msg("add_to_NVRAM").role(Access.VM_ADMIN).param("self", self).param("key", STRING).param("value", STRING)
                        .errors("VM_BAD_POWER_STATE", "MAP_DUPLICATE_KEY").doc("Add one entry to the firmware's saved variables of a halted VM"))
                .message(msg("remove_from_NVRAM").role(Access.VM_ADMIN).param("self", self).param("key", STRING)
                        .errors("VM_BAD_POWER_STATE").doc("Remove one entry from the firmware's saved variables of a halted VM"))
                // XAPI: hidden, for the local root only (its UEFI variable daemon writes while the VM runs)
                .message(msg("set_NVRAM_EFI_variables").role(Access.POOL_ADMIN).param("self", self).param("value", STRING)
                        .doc("Replace the UEFI variable store kept under NVRAM:EFI-variables"))
                .message(msg("set_VCPUs_max").role(Access.VM_ADMIN).param("self", self).param("value", INT)
                        .errors("INVALID_VALUE", "VM_BAD_POWER_STATE").doc("Change how many vCPUs a halted VM may have"))
                .message(msg("set_VCPUs_at_startup").role(Access.VM_ADMIN).param("self", self).param("value", INT)
                        .errors("INVALID_VALUE").doc("Change how many vCPUs a halted VM boots with"))
                .message(msg("set_actions_after_crash").async().role(Access.VM_ADMIN).param("self", self)
                        .param("value", Enums.ON_CRASH_BEHAVIOUR).doc("Choose what happens to the VM when its guest crashes"))
                .message(msg("get_allowed_VBD_devices").role(Access.READ_ONLY).param("vm", self).returns(STRING_SET)
                        .doc("The VBD device numbers still free on this VM"))
                .message(msg("get_allowed_VIF_devices").role(Access.READ_ONLY).param("vm", self).returns(STRING_SET)
                        .doc("The VIF device numbers still free on this VM"))
                .message(msg("get_data_sources").role(Access.READ_ONLY).param("self", self).returns(setOf(record("data_source")))
                        .doc("The metrics recorded over time for this VM while it runs on a host"))
                .message(msg("record_data_source").role(Access.VM_ADMIN).param("self", self).param("data_source", STRING)
                        .doc("Begin archiving a metric of this running VM"))
                .message(msg("query_data_source").role(Access.READ_ONLY).param("self", self).param("data_source", STRING)
                        .returns(FLOAT).doc("A metric's most recent value, the average of the last 5-second step"))
                .message(msg("forget_data_source_archives").role(Access.VM_ADMIN).param("self", self).param("data_source", STRING)
                        .doc("Drop the history recorded for a metric of this VM"))
                .message(msg("get_boot_record").role(Access.READ_ONLY).param("self", self).returns(record("VM"))
                        .doc("Returns a record describing the VM's dynamic state, initialised when the VM boots and updated to reflect runtime configuration changes, for example CPU hotplug"))
                .message(msg("assert_operation_valid").async().role(Access.READ_ONLY).param("self", self)
                        .param("op", Enums.VM_OPERATIONS).doc("Fail with the reason if the operation is not allowed now"))
                .message(msg("update_allowed_operations").async().param("self", self).doc("Compute allowed_operations again"))
                .message(msg("clone").async().role(Access.VM_ADMIN).param("vm", self).param("new_name", STRING).returns(self)
                        .errors("VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION")
                        .doc("Clones the specified VM, making a new VM. Clone automatically exploits the capabilities of the underlying storage repository in which the VM's disk images are stored (for example, Copy on Write). This function can only be called when the VM is in the Halted State."))
                .message(msg("copy").async().role(Access.VM_ADMIN).param("vm", self).param("new_name", STRING).param("sr", ref("SR"))
                        .returns(self).errors("VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION")
                        .doc("Copies the specified VM, making a new VM. Unlike clone, copy does not exploit the capabilities of the underlying storage repository; the disk images of the new VM are full disks, not part of a CoW chain. This function can only be called when the VM is in the Halted State."))
                .message(msg("provision").async().role(Access.VM_ADMIN).param("vm", self)
                        .errors("VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION")
                        .doc("Make the disks other_config:disks lists, and attach them"))
                .message(msg("snapshot").async().role(Access.VM_POWER_ADMIN).param("vm", self).param("new_name", STRING)
                        .param("ignore_vdis", setOf(ref("VDI")), List.of()).returns(self)
                        .errors("VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED")
                        .doc("Snapshots the specified VM, making a new VM. Snapshot automatically exploits the capabilities of the underlying storage repository in which the VM's disk images are stored (for example, Copy on Write)."))
                .message(msg("revert").async().role(Access.VM_POWER_ADMIN).param("snapshot", self)
                        .errors("VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "SR_FULL", "VM_REVERT_FAILED")
                        .doc("Bring the VM back to this snapshot"));
    }
}

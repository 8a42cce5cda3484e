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
import org.flotilla.model.xenapi.enums.VmSecurebootReadiness;

/** A virtual machine, or a template or snapshot of one; a running VM is a jailed QEMU process on this host. */
public interface VM {
    ApiClass<VM> CLASS = ApiClass.declare(VM.class, "VM")
            .doc("A virtual machine, or a template or snapshot of one; a running VM is a jailed QEMU process on this host.");

    Field<VM, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The VM's unique identifier, fixed for its whole life; xe and the RRD URLs (vm_rrd?uuid=) name the VM by it.");
    Field<VM, List<VmOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VmOperations.class)))
            .doc("The operations that may be started on the VM now, given its power state and what else runs on it.");
    Field<VM, Map<String, VmOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VmOperations.class)))
            .doc("The operations under way on the VM, each under the reference of the task that runs it.");
    Field<VM, String> name_label = CLASS.rw("name_label", STRING).doc("The VM's name as people know it; it need not be unique.");
    Field<VM, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the VM.");
    Field<VM, VmPowerState> power_state = CLASS.ro("power_state", enumOf(VmPowerState.class))
            .doc("Halted, Running, Paused (its vCPUs stopped) or Suspended (its memory saved to its suspend VDI).");
    Field<VM, Long> user_version = CLASS.rw("user_version", INT)
            .doc("A version number the VM's creator may keep here; Flotilla does not use it.");
    Field<VM, Boolean> is_a_template = CLASS.rw("is_a_template", BOOL)
            .doc("Whether this is a template: never started itself, only cloned, copied or installed into new VMs.");
    Field<VM, Boolean> is_default_template = CLASS.dyn("is_default_template", BOOL)
            .doc("Whether this is one of the templates Flotilla makes at start; such a template cannot be destroyed.");
    Field<VM, Ref<VDI>> suspend_VDI = CLASS.ro("suspend_VDI", ref(VDI.class))
            .doc("While the VM is suspended, the VDI that holds its saved memory; NULL otherwise.");
    Field<VM, Ref<Host>> resident_on = CLASS.dyn("resident_on", ref(Host.class))
            .doc("The host whose QEMU runs the VM while it is running or paused; NULL when it is halted or suspended.");
    Field<VM, Ref<Host>> scheduled_to_be_resident_on = CLASS.dyn("scheduled_to_be_resident_on", ref(Host.class))
            .doc("The host a start or resume is about to run the VM on; always NULL, as Flotilla starts VMs at once.");
    Field<VM, Ref<Host>> affinity = CLASS.rw("affinity", ref(Host.class))
            .doc("A host the VM would rather run on; with one host, Flotilla starts every VM on it whatever this says.");
    Field<VM, Long> memory_overhead = CLASS.dyn("memory_overhead", INT)
            .doc("What running the VM costs beyond its own memory (QEMU and page tables), in bytes.");
    Field<VM, Long> memory_target = CLASS.ro("memory_target", INT)
            .doc("The memory the VM is asked to use now (its balloon's target), in bytes.");
    Field<VM, Long> memory_static_max = CLASS.ro("memory_static_max", INT)
            .doc("The most memory the VM can ever have, in bytes: its QEMU gets this much; a change applies at next boot.");
    Field<VM, Long> memory_dynamic_max = CLASS.ro("memory_dynamic_max", INT)
            .doc("The top of the range in which ballooning may move the VM's memory, in bytes.");
    Field<VM, Long> memory_dynamic_min = CLASS.ro("memory_dynamic_min", INT)
            .doc("The bottom of the range in which ballooning may move the VM's memory, in bytes.");
    Field<VM, Long> memory_static_min = CLASS.ro("memory_static_min", INT)
            .doc("The least memory the guest can boot with, in bytes; the four memory limits must keep their order.");
    Field<VM, Map<String, String>> VCPUs_params = CLASS.rw("VCPUs_params", STRING_MAP)
            .doc("vCPU scheduling: cap (percent of one CPU, 0 for none) and weight (share of the host CPU) limit its cgroup.");
    Field<VM, Long> VCPUs_max = CLASS.ro("VCPUs_max", INT)
            .doc("How many vCPUs the VM may have; its QEMU is started able to take this many.");
    Field<VM, Long> VCPUs_at_startup = CLASS.ro("VCPUs_at_startup", INT).doc("How many vCPUs the VM boots with; at most VCPUs_max.");
    Field<VM, OnSoftrebootBehavior> actions_after_softreboot = CLASS.rw("actions_after_softreboot", enumOf(OnSoftrebootBehavior.class))
            .doc("What a soft reboot of the guest does; Flotilla does not use it.");
    Field<VM, OnNormalExit> actions_after_shutdown = CLASS.rw("actions_after_shutdown", enumOf(OnNormalExit.class))
            .doc("What happens when the guest powers itself off: destroy halts the VM, restart boots it again.");
    Field<VM, OnNormalExit> actions_after_reboot = CLASS.rw("actions_after_reboot", enumOf(OnNormalExit.class))
            .doc("What happens when the guest reboots itself: restart boots it again, destroy halts the VM.");
    Field<VM, OnCrashBehaviour> actions_after_crash = CLASS.ro("actions_after_crash", enumOf(OnCrashBehaviour.class))
            .doc("What happens when the guest kernel panics: destroy, restart, preserve, or a core dump first.");
    Relation<VM, Console> consoles = CLASS.relation("consoles", () -> Console.VM)
            .doc("The VM's consoles while it runs: an rfb one (its display) and a vt100 one (its serial port).");
    Relation<VM, VIF> VIFs = CLASS.relation("VIFs", () -> VIF.VM).doc("The VM's virtual network interfaces.");
    Relation<VM, VBD> VBDs = CLASS.relation("VBDs", () -> VBD.VM).doc("The VM's virtual disk and CD drives.");
    Relation<VM, VUSB> VUSBs = CLASS.relation("VUSBs", () -> VUSB.VM)
            .doc("The VM's virtual USB devices; Flotilla passes no USB devices through.");
    Relation<VM, Crashdump> crash_dumps = CLASS.relation("crash_dumps", () -> Crashdump.VM)
            .doc("Crash dumps recorded for the VM; Flotilla writes guest core dumps to files, not to these.");
    Relation<VM, VTPM> VTPMs = CLASS.relation("VTPMs", () -> VTPM.VM).doc("The VM's virtual TPM, if it has one (at most one).");
    Field<VM, String> PV_bootloader = CLASS.rw("PV_bootloader", STRING)
            .doc("The bootloader of a paravirtualised guest; Flotilla has none and does not use it.");
    Field<VM, String> PV_kernel = CLASS.rw("PV_kernel", STRING)
            .doc("A kernel to boot directly instead of from a disk; it must lie under a directory the host allows.");
    Field<VM, String> PV_ramdisk = CLASS.rw("PV_ramdisk", STRING).doc("The initrd to go with PV_kernel, under the same rules.");
    Field<VM, String> PV_args = CLASS.rw("PV_args", STRING).doc("The kernel command line given with PV_kernel.");
    Field<VM, String> PV_bootloader_args = CLASS.rw("PV_bootloader_args", STRING)
            .doc("Arguments for the PV bootloader; Flotilla does not use them.");
    Field<VM, String> PV_legacy_args = CLASS.rw("PV_legacy_args", STRING)
            .doc("Legacy kernel arguments of old paravirtualised guests; Flotilla does not use them.");
    Field<VM, String> HVM_boot_policy = CLASS.ro("HVM_boot_policy", STRING)
            .doc("\"BIOS order\" for a VM its firmware boots, else empty; Flotilla boots the firmware unless PV_kernel is set.");
    Field<VM, Map<String, String>> HVM_boot_params = CLASS.rw("HVM_boot_params", STRING_MAP)
            .doc("Firmware boot settings: order (c disk, d CD, n network; \"cd\" if unset) and firmware (bios or uefi).");
    Field<VM, Double> HVM_shadow_multiplier = CLASS.ro("HVM_shadow_multiplier", FLOAT, 1.0)
            .doc("How much shadow page-table memory a Xen HVM guest gets; Flotilla does not use it.");
    Field<VM, Map<String, String>> platform = CLASS.rw("platform", STRING_MAP)
            .doc("Virtual hardware settings: firmware, secureboot, videoram, viridian* (Hyper-V enlightenments) and others.");
    Field<VM, String> PCI_bus = CLASS.rw("PCI_bus", STRING).doc("PCI bus path for passed-through devices; Flotilla does not use it.");
    Field<VM, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs for clients and tools; Flotilla reads mac_seed, disks and default_template from it.");
    Field<VM, Long> domid = CLASS.dyn("domid", INT).doc("The VM's domain number while it runs (a new one at each boot); -1 otherwise.");
    Field<VM, String> domarch = CLASS.dyn("domarch", STRING)
            .doc("The architecture of the running domain (x64); empty while the VM does not run.");
    Field<VM, Map<String, String>> last_boot_CPU_flags = CLASS.ro("last_boot_CPU_flags", STRING_MAP)
            .doc("The CPU flags the VM last booted with; Flotilla leaves it empty.");
    Field<VM, Boolean> is_control_domain = CLASS.dyn("is_control_domain", BOOL)
            .doc("Whether this is the host's control domain (domain 0), which stands for the host itself.");
    Field<VM, Ref<VM_metrics>> metrics = CLASS.dyn("metrics", ref(VM_metrics.class))
            .doc("The VM's metrics: memory and vCPU use, and when it started.");
    Field<VM, Ref<VM_guest_metrics>> guest_metrics = CLASS.dyn("guest_metrics", ref(VM_guest_metrics.class))
            .doc("What an agent inside the guest reports; NULL, as Flotilla runs no guest agent.");
    Field<VM, String> last_booted_record = CLASS.ro("last_booted_record", STRING)
            .doc("The VM's record as it was at its last boot; Flotilla leaves it empty.");
    Field<VM, String> recommendations = CLASS.rw("recommendations", STRING)
            .doc("An XML list of the limits recommended for the VM (memory, vCPUs, disks, NICs), from its template.");
    Field<VM, Map<String, String>> xenstore_data = CLASS.rw("xenstore_data", STRING_MAP)
            .doc("Data for the guest's xenstore tree; Flotilla has no xenstore and does not use it.");
    Field<VM, Boolean> ha_always_run = CLASS.ro("ha_always_run", BOOL)
            .doc("Whether high availability should keep the VM running; Flotilla has no high availability.");
    Field<VM, String> ha_restart_priority = CLASS.ro("ha_restart_priority", STRING)
            .doc("The VM's priority for restarts by high availability; Flotilla has no high availability.");
    Field<VM, Boolean> is_a_snapshot = CLASS.dyn("is_a_snapshot", BOOL).doc("Whether this is a snapshot of a VM, taken by VM.snapshot.");
    Field<VM, Ref<VM>> snapshot_of = CLASS.dyn("snapshot_of", ref(VM.class)).doc("Of a snapshot, the VM it was taken of.");
    Relation<VM, VM> snapshots = CLASS.relation("snapshots", () -> VM.snapshot_of).doc("The snapshots taken of this VM.");
    Field<VM, Instant> snapshot_time = CLASS.dyn("snapshot_time", DATETIME).doc("When the snapshot was taken.");
    Field<VM, String> transportable_snapshot_id = CLASS.dyn("transportable_snapshot_id", STRING)
            .doc("An identifier of the snapshot kept across export and import; Flotilla leaves it empty.");
    Field<VM, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)))
            .doc("Binary objects stored with the VM, by name.");
    Field<VM, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give VMs, to group and find them.");
    Field<VM, Map<VmOperations, String>> blocked_operations = CLASS.rw("blocked_operations", mapOf(enumOf(VmOperations.class), STRING))
            .doc("Operations refused on the VM with OPERATION_BLOCKED, each with the text the error carries.");
    Field<VM, Map<String, String>> snapshot_info = CLASS.dyn("snapshot_info", STRING_MAP)
            .doc("Facts about how the snapshot was taken, e.g. disk-snapshot-type.");
    Field<VM, String> snapshot_metadata = CLASS.dyn("snapshot_metadata", STRING)
            .doc("Encoded metadata of the VM the snapshot was taken of; Flotilla leaves it empty.");
    Field<VM, Ref<VM>> parent = CLASS.dyn("parent", ref(VM.class))
            .doc("The snapshot this VM was last taken from or reverted to; NULL if none.");
    Relation<VM, VM> children = CLASS.relation("children", () -> VM.parent).doc("The VMs and snapshots whose parent this is.");
    Field<VM, Map<String, String>> bios_strings = CLASS.dyn("bios_strings", STRING_MAP)
            .doc("The SMBIOS strings the VM's firmware presents; Flotilla does not set them.");
    Field<VM, Ref<VMPP>> protection_policy = CLASS.ro("protection_policy", ref(VMPP.class))
            .doc("The VM protection policy it belongs to (a retired feature); always NULL.");
    Field<VM, Ref<VMSS>> snapshot_schedule = CLASS.ro("snapshot_schedule", ref(VMSS.class))
            .doc("The snapshot schedule (VMSS) that snapshots the VM; Flotilla runs no schedules.");
    Field<VM, Boolean> is_vmss_snapshot = CLASS.ro("is_vmss_snapshot", BOOL).doc("Whether a snapshot schedule took this snapshot.");
    Field<VM, Ref<VM_appliance>> appliance = CLASS.ro("appliance", ref(VM_appliance.class))
            .doc("The VM appliance the VM is part of, if any.");
    Field<VM, Long> start_delay = CLASS.ro("start_delay", INT)
            .doc("Seconds to wait after starting this VM before the next in its appliance's start order.");
    Field<VM, Long> shutdown_delay = CLASS.ro("shutdown_delay", INT)
            .doc("Seconds to wait after shutting this VM down before the next in its appliance's shutdown order.");
    Field<VM, Long> order = CLASS.ro("order", INT).doc("The VM's place in its appliance's start and shutdown order.");
    Relation<VM, VGPU> VGPUs = CLASS.relation("VGPUs", () -> VGPU.VM).doc("The VM's virtual GPUs; Flotilla passes no GPUs through.");
    Field<VM, List<Ref<PCI>>> attached_PCIs = CLASS.dyn("attached_PCIs", setOf(ref(PCI.class)))
            .doc("PCI devices passed through to the running VM; always empty with Flotilla.");
    Field<VM, Ref<SR>> suspend_SR = CLASS.rw("suspend_SR", ref(SR.class))
            .doc("The SR for the VM's suspend image; if NULL, the pool's suspend_image_SR, else its default_SR.");
    Field<VM, Long> version = CLASS.ro("version", INT)
            .doc("How many times the VM has been recovered from its metadata; 0 for VMs Flotilla makes.");
    Field<VM, String> generation_id = CLASS.ro("generation_id", STRING, "0:0")
            .doc("A Windows guest's VM Generation ID, made anew by clone, copy and snapshot; not given to QEMU.");
    Field<VM, Long> hardware_platform_version = CLASS.rw("hardware_platform_version", INT)
            .doc("The virtual hardware platform version the VM needs of its host.");
    Field<VM, Boolean> has_vendor_device = CLASS.ro("has_vendor_device", BOOL)
            .doc("Whether a Windows guest gets the vendor PCI device that fetches PV drivers; Flotilla adds none.");
    Field<VM, Boolean> requires_reboot = CLASS.dyn("requires_reboot", BOOL)
            .doc("Whether a change to the VM waits for its next boot to take effect; Flotilla leaves it false.");
    Field<VM, String> reference_label = CLASS.ro("reference_label", STRING)
            .doc("A fixed name of the template the VM came from, which stays when the template is renamed.");
    Field<VM, DomainType> domain_type = CLASS.ro("domain_type", enumOf(DomainType.class), DomainType.unspecified)
            .doc("The kind of domain the VM wants (hvm, pv, pvh); Flotilla runs every VM in a QEMU all the same.");
    Field<VM, Map<String, String>> NVRAM = CLASS.ro("NVRAM", STRING_MAP)
            .doc("A UEFI VM's saved firmware variables (key EFI-variables); written back when the VM stops.");
    Field<VM, List<UpdateGuidances>> pending_guidances = CLASS.dyn("pending_guidances", setOf(enumOf(UpdateGuidances.class)))
            .doc("What must be done to the VM for applied updates to take effect; always empty with Flotilla.");
    Field<VM, List<UpdateGuidances>> pending_guidances_recommended = CLASS.dyn("pending_guidances_recommended", setOf(enumOf(UpdateGuidances.class)))
            .doc("What is recommended to do to the VM after updates; always empty with Flotilla.");
    Field<VM, List<UpdateGuidances>> pending_guidances_full = CLASS.dyn("pending_guidances_full", setOf(enumOf(UpdateGuidances.class)))
            .doc("What to do to the VM for updates to take full effect; always empty with Flotilla.");

    /** The messages of VM that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Boot a halted VM, left paused if start_paused is true, on a host it can boot on (NO_HOSTS_AVAILABLE if none): this one, the pool's only host.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "VM_HVM_REQUIRED", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY", "VDI_MISSING", "SR_BACKEND_FAILURE", "NO_HOSTS_AVAILABLE"})
        void start(Ref<VM> vm, boolean start_paused, boolean force);

        @Doc("Boot a halted VM on the given host, which must be this one and able to take it (VM.assert_can_boot_here).")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "VM_IS_TEMPLATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY", "HOST_DISABLED", "HOST_EVACUATE_IN_PROGRESS"})
        void start_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force);

        @Doc("Migrate a running VM, live, to another host of the pool that reaches its disks (XenMotion). The options (force, live, copy, compress, network) are accepted and not yet used.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "VM_IS_TEMPLATE", "OPERATION_NOT_ALLOWED", "HOST_NOT_ENOUGH_FREE_MEMORY", "VM_REQUIRES_SR", "VM_MIGRATE_FAILED", "CANNOT_CONTACT_HOST"})
        void pool_migrate(Ref<VM> vm, Ref<Host> host, Map<String, String> options);

        @Doc("Migrate the VM to another host, its disks of the VDIs in vdi_map copied to the SR each maps to (Storage XenMotion): live for a running VM, the disks mirrored while it runs. dest is what host.migrate_receive returned; within the pool every VDI of the VM's disks must be in vdi_map (mapped to its own SR to stay there) and vif_map must be empty. To a host of another pool (dest from host.migrate_receive called there) every disk moves to the SR there vdi_map gives it and every VIF to the network there vif_map gives it; the VM's records move to that pool's database and go from this one. Returns the VM (in the other pool, the same reference).")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "VM_IS_TEMPLATE", "OPERATION_NOT_ALLOWED", "VDI_NOT_IN_MAP", "VM_REQUIRES_SR", "HOST_NOT_ENOUGH_FREE_MEMORY", "VM_MIGRATE_FAILED", "MIRROR_FAILED", "CANNOT_CONTACT_HOST", "NOT_IMPLEMENTED", "VIF_NOT_IN_MAP", "SESSION_INVALID", "HOST_DISABLED", "VM_TO_IMPORT_IS_NOT_NEWER_VERSION"})
        Ref<VM> migrate_send(Ref<VM> vm, Map<String, String> dest, boolean live, Map<Ref<VDI>, Ref<SR>> vdi_map, Map<Ref<VIF>, Ref<Network>> vif_map,
                             Map<String, String> options, @Default("{}") Map<Ref<VGPU>, Ref<GPU_group>> vgpu_map);

        @Doc("Fail with the first reason VM.migrate_send with the same arguments could not move the VM, or do nothing.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "VM_IS_TEMPLATE", "OPERATION_NOT_ALLOWED", "VDI_NOT_IN_MAP", "VM_REQUIRES_SR", "HOST_NOT_ENOUGH_FREE_MEMORY", "NOT_IMPLEMENTED", "VIF_NOT_IN_MAP", "SESSION_INVALID", "HOST_DISABLED", "VM_TO_IMPORT_IS_NOT_NEWER_VERSION", "CANNOT_CONTACT_HOST"})
        void assert_can_migrate(Ref<VM> vm, Map<String, String> dest, boolean live, Map<Ref<VDI>, Ref<SR>> vdi_map, Map<Ref<VIF>, Ref<Network>> vif_map,
                                Map<String, String> options, @Default("{}") Map<Ref<VGPU>, Ref<GPU_group>> vgpu_map);

        @Doc("Stop a running VM's vCPUs; its memory and devices stay as they are.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void pause(Ref<VM> vm);

        @Doc("Let a paused VM's vCPUs run again.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void unpause(Ref<VM> vm);

        @Doc("Press the VM's ACPI power button and wait for the guest to power off; it times out if the guest does not.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_SHUTDOWN_TIMEOUT"})
        void clean_shutdown(Ref<VM> vm);

        @Doc("Shut the VM down cleanly, or hard if the guest does not power off in time.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void shutdown(Ref<VM> vm);

        @Doc("Press the VM's ACPI power button, wait for the guest to power off, then boot it again.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_SHUTDOWN_TIMEOUT"})
        void clean_reboot(Ref<VM> vm);

        @Doc("Stop the VM at once, without asking the guest; a suspended VM loses its saved memory.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void hard_shutdown(Ref<VM> vm);

        @Doc("Mark a VM Halted and resident nowhere, without touching any process: for a VM whose host is lost (fencing). Refused "
                + "while its host is live (HOST_IS_LIVE), or while its QEMU still runs on this host (DOMAIN_EXISTS).")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"CANNOT_RESET_CONTROL_DOMAIN", "HOST_IS_LIVE", "DOMAIN_EXISTS"})
        void power_state_reset(Ref<VM> vm);

        @Doc("Reset the VM at once, without asking the guest, and boot it again.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE"})
        void hard_reboot(Ref<VM> vm);

        @Doc("Save a running VM's memory to a new VDI on its suspend SR, then stop its QEMU.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "VM_NO_SUSPEND_SR"})
        void suspend(Ref<VM> vm);

        @Doc("Run a suspended VM again from its saved memory, left paused if start_paused is true, on a host it can boot on (NO_HOSTS_AVAILABLE if none).")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "HOST_NOT_ENOUGH_FREE_MEMORY", "NO_HOSTS_AVAILABLE"})
        void resume(Ref<VM> vm, boolean start_paused, boolean force);

        @Doc("Run a suspended VM again from its saved memory, on the given host, which must be this one and able to take it.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "OTHER_OPERATION_IN_PROGRESS", "OPERATION_NOT_ALLOWED", "VM_IS_TEMPLATE", "HOST_NOT_ENOUGH_FREE_MEMORY", "HOST_DISABLED"})
        void resume_on(Ref<VM> vm, Ref<Host> host, boolean start_paused, boolean force);

        @Doc("Make a halted VM from a record; the fields not given take their defaults. Returns the new VM.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION", "INVALID_VALUE", "VALUE_NOT_SUPPORTED"})
        Ref<VM> create(Rec<VM> args);

        @Doc("Remove a halted VM and its devices' records (VBDs, VIFs, VTPMs, consoles); its VDIs are kept.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "VM_CANNOT_DELETE_DEFAULT_TEMPLATE", "OPERATION_BLOCKED"})
        void destroy(Ref<VM> self);

        @Doc("Turn a halted VM into a template, or a template into a VM.")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void set_is_a_template(Ref<VM> self, boolean value);

        @Doc("Change the top of the VM's ballooning range, keeping the order of the memory limits.")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_max(Ref<VM> self, long value);

        @Doc("Change the bottom of the VM's ballooning range, keeping the order of the memory limits.")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_min(Ref<VM> self, long value);

        @Doc("Change the range ballooning may move the VM's memory in; a running VM is ballooned to the new max.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER"})
        void set_memory_dynamic_range(Ref<VM> self, long min, long max);

        @Doc("Change the most memory a halted VM can have, keeping the order of the memory limits.")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_max(Ref<VM> self, long value);

        @Doc("Change the least memory a halted VM can boot with, keeping the order of the memory limits.")
        @Api(role = Access.VM_POWER_ADMIN, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_min(Ref<VM> self, long value);

        @Doc("Change both static memory limits of a halted VM.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_static_range(Ref<VM> self, long min, long max);

        @Doc("Change all four memory limits of a halted VM at once.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory_limits(Ref<VM> self, long static_min, long static_max, long dynamic_min, long dynamic_max);

        @Doc("Give a halted VM one fixed amount of memory: static max and both dynamic limits.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"MEMORY_CONSTRAINT_VIOLATION_ORDER", "VM_BAD_POWER_STATE"})
        void set_memory(Ref<VM> self, long value);

        @Doc("Replace the saved firmware variables of a halted VM.")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void set_NVRAM(Ref<VM> self, Map<String, String> value);

        @Doc("Add one entry to the saved firmware variables of a halted VM.")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE", "MAP_DUPLICATE_KEY"})
        void add_to_NVRAM(Ref<VM> self, String key, String value);

        @Doc("Remove one entry from the saved firmware variables of a halted VM.")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE"})
        void remove_from_NVRAM(Ref<VM> self, String key);

        @Doc("Replace the UEFI variable store (NVRAM key EFI-variables), in any power state.")
        void set_NVRAM_EFI_variables(Ref<VM> self, String value);

        @Doc("Change how many vCPUs a halted VM may have; not fewer than it boots with.")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE", "VM_BAD_POWER_STATE"})
        void set_VCPUs_max(Ref<VM> self, long value);

        @Doc("Change how many vCPUs the VM boots with; at most VCPUs_max.")
        @Api(role = Access.VM_ADMIN, errors = {"INVALID_VALUE"})
        void set_VCPUs_at_startup(Ref<VM> self, long value);

        @Doc("Choose what happens when the VM's guest crashes.")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_actions_after_crash(Ref<VM> self, OnCrashBehaviour value);

        @Doc("The disk device numbers (0 to 254) that no VBD of the VM holds yet.")
        @Api(role = Access.READ_ONLY)
        List<String> get_allowed_VBD_devices(Ref<VM> vm);

        @Doc("The VIF device numbers (0 to 15) that no VIF of the VM holds yet.")
        @Api(role = Access.READ_ONLY)
        List<String> get_allowed_VIF_devices(Ref<VM> vm);

        @Doc("The metrics recorded over time for this VM while it runs, and whether each is archived.")
        @Api(role = Access.READ_ONLY)
        List<Rec<Data_source>> get_data_sources(Ref<VM> self);

        @Doc("Begin archiving a metric of this running VM.")
        @Api(role = Access.VM_ADMIN)
        void record_data_source(Ref<VM> self, String data_source);

        @Doc("A metric's most recent value: the average over the last 5-second step.")
        @Api(role = Access.READ_ONLY)
        double query_data_source(Ref<VM> self, String data_source);

        @Doc("Drop the history recorded for a metric of this VM.")
        @Api(role = Access.VM_ADMIN)
        void forget_data_source_archives(Ref<VM> self, String data_source);

        @Doc("The VM's record as it runs; Flotilla answers with the current record.")
        @Api(role = Access.READ_ONLY)
        Rec<VM> get_boot_record(Ref<VM> self);

        @Doc("Fail with the reason the operation may not run on the VM now; succeed if it may.")
        @Api(role = Access.READ_ONLY, async = true)
        void assert_operation_valid(Ref<VM> self, VmOperations op);

        @Doc("Fail with the reason the VM could not boot on the host now (disabled, not enough memory, an SR or network it lacks); succeed if it could.")
        @Api(role = Access.READ_ONLY, async = true, errors = {"HOST_NOT_ENOUGH_FREE_MEMORY", "HOST_NOT_ENOUGH_PCPUS", "HOST_NOT_LIVE", "HOST_DISABLED",
                "HOST_CANNOT_ATTACH_NETWORK", "VM_REQUIRES_NETWORK", "VM_REQUIRES_SR", "INVALID_VALUE", "MEMORY_CONSTRAINT_VIOLATION",
                "OPERATION_NOT_ALLOWED", "VALUE_NOT_SUPPORTED"})
        void assert_can_boot_here(Ref<VM> self, Ref<Host> host);

        @Doc("Fail unless the VM could run on any host of the pool: its disks on shared SRs, its NICs on networks every enabled host has.")
        @Api(role = Access.READ_ONLY, async = true)
        void assert_agile(Ref<VM> self);

        @Doc("The hosts the VM could boot on now.")
        @Api(role = Access.READ_ONLY, async = true)
        List<Ref<Host>> get_possible_hosts(Ref<VM> vm);

        @Doc("Compute the VM's allowed_operations again.")
        @Api(async = true)
        void update_allowed_operations(Ref<VM> self);

        @Doc("Make a new VM like this one (a template stays one), its disks copy-on-write clones; CDs keep their disc.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        Ref<VM> clone(Ref<VM> vm, String new_name);

        @Doc("Make a new VM like this one with full copies of its disks, in the given SR (NULL: each disk's own SR).")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        Ref<VM> copy(Ref<VM> vm, String new_name, Ref<SR> sr);

        @Doc("Make and attach the disks a template's other_config:disks lists; vm-install does this after cloning.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED", "LICENCE_RESTRICTION"})
        void provision(Ref<VM> vm);

        @Doc("Take a snapshot of the VM: a new VM record, marked a snapshot, on copy-on-write snapshots of its disks.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED"})
        Ref<VM> snapshot(Ref<VM> vm, String new_name, @Default("[]") List<Ref<VDI>> ignore_vdis);

        @Doc("Take a snapshot of the VM with its memory: its disks' snapshots and its memory at one instant, a suspended snapshot "
                + "that VM.revert brings back (the VM then suspended, for VM.resume to run on from that instant).")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "SR_FULL", "OPERATION_NOT_ALLOWED",
                "VM_CHECKPOINT_SUSPEND_FAILED", "VM_CHECKPOINT_RESUME_FAILED"})
        Ref<VM> checkpoint(Ref<VM> vm, String new_name);

        @Doc("Bring the VM this snapshot was taken of back to the snapshot's disks and settings (and a checkpoint's memory, the VM "
                + "then suspended); the VM must be halted or suspended.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE", "OPERATION_NOT_ALLOWED", "SR_FULL", "VM_REVERT_FAILED"})
        void revert(Ref<VM> snapshot);

        @Doc("Whether the VM would boot with UEFI Secure Boot: not_supported (BIOS), disabled (platform:secureboot off), first_boot "
                + "(no variable store yet: it gets the pool's keys at its first boot), or, from the keys its store holds, ready (PK, KEK, "
                + "db and dbx), ready_no_dbx, setup_mode (no PK) or certs_incomplete.")
        @Api(async = true, errors = {"INVALID_VALUE"})
        VmSecurebootReadiness get_secureboot_readiness(Ref<VM> self);
    }
}

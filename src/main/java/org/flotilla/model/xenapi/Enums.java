package org.flotilla.model.xenapi;

import java.util.List;
import org.flotilla.model.Type;

/** The XenAPI's enumerations, values in their wire spelling. */
final class Enums {
    private Enums() {}

    static final Type.Enum AFTER_APPLY_GUIDANCE = new Type.Enum("after_apply_guidance", List.of("restartHVM", "restartPV", "restartHost", "restartXAPI"));
    static final Type.Enum ALLOCATION_ALGORITHM = new Type.Enum("allocation_algorithm", List.of("breadth_first", "depth_first"));
    static final Type.Enum BOND_MODE = new Type.Enum("bond_mode", List.of("balance-slb", "active-backup", "lacp"));
    static final Type.Enum CERTIFICATE_TYPE = new Type.Enum("certificate_type", List.of("ca", "host", "host_internal"));
    static final Type.Enum CLS = new Type.Enum("cls", List.of("VM", "Host", "SR", "Pool", "VMPP", "VMSS", "PVS_proxy", "VDI", "Certificate"));
    static final Type.Enum CLUSTER_HOST_OPERATION = new Type.Enum("cluster_host_operation", List.of("enable", "disable", "destroy"));
    static final Type.Enum CLUSTER_OPERATION = new Type.Enum("cluster_operation", List.of("add", "remove", "enable", "disable", "destroy"));
    static final Type.Enum CONSOLE_PROTOCOL = new Type.Enum("console_protocol", List.of("vt100", "rfb", "rdp"));
    static final Type.Enum DOMAIN_TYPE = new Type.Enum("domain_type", List.of("hvm", "pv", "pv_in_pvh", "pvh", "unspecified"));
    static final Type.Enum EVENT_OPERATION = new Type.Enum("event_operation", List.of("add", "del", "mod"));
    static final Type.Enum HOST_ALLOWED_OPERATIONS = new Type.Enum("host_allowed_operations", List.of("provision", "evacuate", "shutdown", "reboot", "power_on", "vm_start", "vm_resume", "vm_migrate", "apply_updates", "enable"));
    static final Type.Enum HOST_DISPLAY = new Type.Enum("host_display", List.of("enabled", "disable_on_reboot", "disabled", "enable_on_reboot"));
    static final Type.Enum HOST_NUMA_AFFINITY_POLICY = new Type.Enum("host_numa_affinity_policy", List.of("any", "best_effort", "default_policy"));
    static final Type.Enum HOST_SCHED_GRAN = new Type.Enum("host_sched_gran", List.of("core", "cpu", "socket"));
    static final Type.Enum IP_CONFIGURATION_MODE = new Type.Enum("ip_configuration_mode", List.of("None", "DHCP", "Static"));
    static final Type.Enum IPV6_CONFIGURATION_MODE = new Type.Enum("ipv6_configuration_mode", List.of("None", "DHCP", "Static", "Autoconf"));
    static final Type.Enum LATEST_SYNCED_UPDATES_APPLIED_STATE = new Type.Enum("latest_synced_updates_applied_state", List.of("yes", "no", "unknown"));
    static final Type.Enum LIVEPATCH_STATUS = new Type.Enum("livepatch_status", List.of("ok_livepatch_complete", "ok_livepatch_incomplete", "ok"));
    static final Type.Enum NETWORK_DEFAULT_LOCKING_MODE = new Type.Enum("network_default_locking_mode", List.of("unlocked", "disabled"));
    static final Type.Enum NETWORK_OPERATIONS = new Type.Enum("network_operations", List.of("attaching"));
    static final Type.Enum NETWORK_PURPOSE = new Type.Enum("network_purpose", List.of("nbd", "insecure_nbd"));
    static final Type.Enum ON_BOOT = new Type.Enum("on_boot", List.of("reset", "persist"));
    static final Type.Enum ON_CRASH_BEHAVIOUR = new Type.Enum("on_crash_behaviour", List.of("destroy", "coredump_and_destroy", "restart", "coredump_and_restart", "preserve", "rename_restart"));
    static final Type.Enum ON_NORMAL_EXIT = new Type.Enum("on_normal_exit", List.of("destroy", "restart"));
    static final Type.Enum ON_SOFTREBOOT_BEHAVIOR = new Type.Enum("on_softreboot_behavior", List.of("soft_reboot", "destroy", "restart", "preserve"));
    static final Type.Enum PERSISTENCE_BACKEND = new Type.Enum("persistence_backend", List.of("xapi"));
    static final Type.Enum PGPU_DOM0_ACCESS = new Type.Enum("pgpu_dom0_access", List.of("enabled", "disable_on_reboot", "disabled", "enable_on_reboot"));
    static final Type.Enum PIF_IGMP_STATUS = new Type.Enum("pif_igmp_status", List.of("enabled", "disabled", "unknown"));
    static final Type.Enum POOL_ALLOWED_OPERATIONS = new Type.Enum("pool_allowed_operations", List.of("ha_enable", "ha_disable", "cluster_create", "designate_new_master", "configure_repositories", "sync_updates", "get_updates", "apply_updates", "tls_verification_enable", "cert_refresh", "exchange_certificates_on_join", "exchange_ca_certificates_on_join", "copy_primary_host_certs", "eject"));
    static final Type.Enum PRIMARY_ADDRESS_TYPE = new Type.Enum("primary_address_type", List.of("IPv4", "IPv6"));
    static final Type.Enum PVS_PROXY_STATUS = new Type.Enum("pvs_proxy_status", List.of("stopped", "initialised", "caching", "incompatible_write_cache_mode", "incompatible_protocol_version"));
    static final Type.Enum SDN_CONTROLLER_PROTOCOL = new Type.Enum("sdn_controller_protocol", List.of("ssl", "pssl"));
    static final Type.Enum SR_HEALTH = new Type.Enum("sr_health", List.of("healthy", "recovering"));
    static final Type.Enum SRIOV_CONFIGURATION_MODE = new Type.Enum("sriov_configuration_mode", List.of("sysfs", "modprobe", "manual", "unknown"));
    static final Type.Enum STORAGE_OPERATIONS = new Type.Enum("storage_operations", List.of("scan", "destroy", "forget", "plug", "unplug", "update", "vdi_create", "vdi_introduce", "vdi_destroy", "vdi_resize", "vdi_clone", "vdi_snapshot", "vdi_mirror", "vdi_enable_cbt", "vdi_disable_cbt", "vdi_data_destroy", "vdi_list_changed_blocks", "vdi_set_on_boot", "pbd_create", "pbd_destroy"));
    static final Type.Enum TASK_ALLOWED_OPERATIONS = new Type.Enum("task_allowed_operations", List.of("cancel", "destroy"));
    static final Type.Enum TASK_STATUS_TYPE = new Type.Enum("task_status_type", List.of("pending", "success", "failure", "cancelling", "cancelled"));
    static final Type.Enum TELEMETRY_FREQUENCY = new Type.Enum("telemetry_frequency", List.of("daily", "weekly", "monthly"));
    static final Type.Enum TRISTATE_TYPE = new Type.Enum("tristate_type", List.of("yes", "no", "unspecified"));
    static final Type.Enum TUNNEL_PROTOCOL = new Type.Enum("tunnel_protocol", List.of("gre", "vxlan"));
    static final Type.Enum UPDATE_AFTER_APPLY_GUIDANCE = new Type.Enum("update_after_apply_guidance", List.of("restartHVM", "restartPV", "restartHost", "restartXAPI"));
    static final Type.Enum UPDATE_GUIDANCES = new Type.Enum("update_guidances", List.of("reboot_host", "reboot_host_on_livepatch_failure", "reboot_host_on_kernel_livepatch_failure", "reboot_host_on_xen_livepatch_failure", "restart_toolstack", "restart_device_model", "restart_vm"));
    static final Type.Enum UPDATE_SYNC_FREQUENCY = new Type.Enum("update_sync_frequency", List.of("daily", "weekly"));
    static final Type.Enum VBD_MODE = new Type.Enum("vbd_mode", List.of("RO", "RW"));
    static final Type.Enum VBD_OPERATIONS = new Type.Enum("vbd_operations", List.of("attach", "eject", "insert", "plug", "unplug", "unplug_force", "pause", "unpause"));
    static final Type.Enum VBD_TYPE = new Type.Enum("vbd_type", List.of("CD", "Disk", "Floppy"));
    static final Type.Enum VDI_OPERATIONS = new Type.Enum("vdi_operations", List.of("clone", "copy", "resize", "resize_online", "snapshot", "mirror", "destroy", "forget", "update", "force_unlock", "generate_config", "enable_cbt", "disable_cbt", "data_destroy", "list_changed_blocks", "set_on_boot", "blocked"));
    static final Type.Enum VDI_TYPE = new Type.Enum("vdi_type", List.of("system", "user", "ephemeral", "suspend", "crashdump", "ha_statefile", "metadata", "redo_log", "rrd", "pvs_cache", "cbt_metadata"));
    static final Type.Enum VGPU_TYPE_IMPLEMENTATION = new Type.Enum("vgpu_type_implementation", List.of("passthrough", "nvidia", "nvidia_sriov", "gvt_g", "mxgpu"));
    static final Type.Enum VIF_IPV4_CONFIGURATION_MODE = new Type.Enum("vif_ipv4_configuration_mode", List.of("None", "Static"));
    static final Type.Enum VIF_IPV6_CONFIGURATION_MODE = new Type.Enum("vif_ipv6_configuration_mode", List.of("None", "Static"));
    static final Type.Enum VIF_LOCKING_MODE = new Type.Enum("vif_locking_mode", List.of("network_default", "locked", "unlocked", "disabled"));
    static final Type.Enum VIF_OPERATIONS = new Type.Enum("vif_operations", List.of("attach", "plug", "unplug"));
    static final Type.Enum VM_APPLIANCE_OPERATION = new Type.Enum("vm_appliance_operation", List.of("start", "clean_shutdown", "hard_shutdown", "shutdown"));
    static final Type.Enum VM_OPERATIONS = new Type.Enum("vm_operations", List.of("snapshot", "clone", "copy", "create_template", "revert", "checkpoint", "snapshot_with_quiesce", "provision", "start", "start_on", "pause", "unpause", "clean_shutdown", "clean_reboot", "hard_shutdown", "power_state_reset", "hard_reboot", "suspend", "csvm", "resume", "resume_on", "pool_migrate", "migrate_send", "get_boot_record", "send_sysrq", "send_trigger", "query_services", "shutdown", "call_plugin", "changing_memory_live", "awaiting_memory_live", "changing_dynamic_range", "changing_static_range", "changing_memory_limits", "changing_shadow_memory", "changing_shadow_memory_live", "changing_VCPUs", "changing_VCPUs_live", "changing_NVRAM", "assert_operation_valid", "data_source_op", "update_allowed_operations", "make_into_template", "import", "export", "metadata_export", "reverting", "destroy", "create_vtpm"));
    static final Type.Enum VM_POWER_STATE = new Type.Enum("vm_power_state", List.of("Halted", "Paused", "Running", "Suspended"));
    static final Type.Enum VMPP_ARCHIVE_FREQUENCY = new Type.Enum("vmpp_archive_frequency", List.of("never", "always_after_backup", "daily", "weekly"));
    static final Type.Enum VMPP_ARCHIVE_TARGET_TYPE = new Type.Enum("vmpp_archive_target_type", List.of("none", "cifs", "nfs"));
    static final Type.Enum VMPP_BACKUP_FREQUENCY = new Type.Enum("vmpp_backup_frequency", List.of("hourly", "daily", "weekly"));
    static final Type.Enum VMPP_BACKUP_TYPE = new Type.Enum("vmpp_backup_type", List.of("snapshot", "checkpoint"));
    static final Type.Enum VMSS_FREQUENCY = new Type.Enum("vmss_frequency", List.of("hourly", "daily", "weekly"));
    static final Type.Enum VMSS_TYPE = new Type.Enum("vmss_type", List.of("snapshot", "checkpoint", "snapshot_with_quiesce"));
    static final Type.Enum VTPM_OPERATIONS = new Type.Enum("vtpm_operations", List.of("destroy"));
    static final Type.Enum VUSB_OPERATIONS = new Type.Enum("vusb_operations", List.of("attach", "plug", "unplug"));
}

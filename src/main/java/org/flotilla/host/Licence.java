package org.flotilla.host;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a licence would restrict, as XAPI lists it in host.license_params and pool.restrictions: nothing. Flotilla is
 * free software; its edition is XCP-ng's, "xcp-ng", with no SKU and no expiry, so that clients show no licence
 * warning (Xen Orchestra warns of a "free" or "express" SKU).
 */
public final class Licence {
    public static final String EDITION = "xcp-ng";
    public static final Map<String, String> RESTRICTIONS = restrictions();

    private Licence() {}

    private static Map<String, String> restrictions() {
        var r = new LinkedHashMap<String, String>();
        for (String k : new String[] {"restrict_vswitch_controller", "restrict_lab", "restrict_stage", "restrict_storagelink",
                "restrict_storagelink_site_recovery", "restrict_web_selfservice", "restrict_web_selfservice_manager",
                "restrict_hotfix_apply", "restrict_export_resource_data", "restrict_read_caching", "restrict_cifs",
                "restrict_health_check", "restrict_xcm", "restrict_vm_memory_introspection", "restrict_batch_hotfix_apply",
                "restrict_management_on_vlan", "restrict_ws_proxy", "restrict_vlan", "restrict_qos", "restrict_pool_attached_storage",
                "restrict_netapp", "restrict_equalogic", "restrict_pooling", "restrict_xen_motion", "restrict_dmc",
                "restrict_checkpoint", "restrict_cpu_masking", "restrict_connection", "restrict_historical_performance",
                "restrict_wlb", "restrict_rbac", "restrict_dr", "restrict_vmpr", "restrict_gpu", "restrict_vgpu",
                "restrict_integrated_gpu_passthrough", "restrict_vss", "restrict_guest_agent_auto_update",
                "restrict_pci_device_for_auto_update", "restrict_guest_ip_setting",
                "restrict_ad", "restrict_nested_virt", "restrict_live_patching", "restrict_set_vcpus_number_live",
                "restrict_pvs_proxy", "restrict_igmp_snooping", "restrict_rpu", "restrict_pool_size", "restrict_cbt",
                "restrict_usb_passthrough", "restrict_vtpm", "restrict_network_sriov", "restrict_corosync", "restrict_zstd_export",
                "restrict_pool_secret_rotation", "restrict_certificate_verification", "restrict_updates", "restrict_internal_repository_access"}) {
            r.put(k, "false");
        }
        r.put("platform_filter", "false");
        r.put("regular_nag_dialog", "false");
        return Collections.unmodifiableMap(r);
    }
}

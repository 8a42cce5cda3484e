package org.flotilla.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;

/** The pool object: every database has exactly one; a single host is the master of its own pool. */
public final class PoolRecord {
    private PoolRecord() {}

    public static Ref<Pool> ensure(Database db, Ref<Host> masterHost) {
        var pools = db.all(Pool.CLASS);
        if (!pools.isEmpty()) return pools.getFirst().self(Pool.CLASS);
        Ref<Pool> ref = Refs.newRef(Pool.CLASS);
        db.write(tx -> tx.put(ref, db.newRecord(Pool.CLASS)
                .set(Pool.uuid, Refs.newUuid())
                .set(Pool.name_label, "")
                .set(Pool.master, masterHost)
                .set(Pool.restrictions, restrictions())
                .set(Pool.other_config, Map.of())));
        return ref;
    }

    /** No feature is held back: XAPI lists what a licence restricts, Flotilla restricts nothing. */
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
                "restrict_pci_device_for_auto_update", "restrict_xen_motion", "restrict_guest_ip_setting",
                "restrict_ad", "restrict_nested_virt", "restrict_live_patching", "restrict_set_vcpus_number_live",
                "restrict_pvs_proxy", "restrict_igmp_snooping", "restrict_rpu", "restrict_pool_size", "restrict_cbt",
                "restrict_usb_passthrough", "restrict_vtpm", "restrict_network_sriov", "restrict_corosync", "restrict_zstd_export",
                "restrict_pool_secret_rotation", "restrict_certificate_verification", "restrict_updates", "restrict_internal_repository_access"}) {
            r.put(k, "false");
        }
        r.put("platform_filter", "false");
        r.put("regular_nag_dialog", "false");
        return r;
    }
}

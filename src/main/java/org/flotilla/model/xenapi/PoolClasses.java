package org.flotilla.model.xenapi;

import static org.flotilla.model.MessageBuilder.msg;
import static org.flotilla.model.Type.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Access;

final class PoolClasses {
    private PoolClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(pool(), poolPatch(), poolUpdate(), host(), hostCrashdump(), hostPatch(), hostMetrics(), hostCpu(), feature(), repository(), observer(), cluster(), clusterHost(), message(), blob(), task(), event(), dataSource(), drTask(), sdnController());
    }

    static ClassDef.Builder pool() {
        return ClassDef.of("pool", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .dyn("master", ref("host"))
                .rw("default_SR", ref("SR"))
                .rw("suspend_image_SR", ref("SR"))
                .rw("crash_dump_SR", ref("SR"))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("ha_enabled", BOOL)
                .dyn("ha_configuration", mapOf(STRING, STRING))
                .dyn("ha_statefiles", setOf(STRING))
                .dyn("ha_host_failures_to_tolerate", INT)
                .dyn("ha_plan_exists_for", INT)
                .rw("ha_allow_overcommit", BOOL)
                .dyn("ha_overcommitted", BOOL)
                .dyn("blobs", mapOf(STRING, ref("blob")))
                .rw("tags", setOf(STRING))
                .rw("gui_config", mapOf(STRING, STRING))
                .rw("health_check_config", mapOf(STRING, STRING))
                .dyn("wlb_url", STRING)
                .dyn("wlb_username", STRING)
                .rw("wlb_enabled", BOOL)
                .rw("wlb_verify_cert", BOOL)
                .dyn("redo_log_enabled", BOOL)
                .dyn("redo_log_vdi", ref("VDI"))
                .dyn("vswitch_controller", STRING)
                .dyn("restrictions", mapOf(STRING, STRING))
                .relation("metadata_VDIs", "VDI", "metadata_of_pool")
                .dyn("ha_cluster_stack", STRING)
                .dyn("allowed_operations", setOf(Enums.POOL_ALLOWED_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.POOL_ALLOWED_OPERATIONS))
                .dyn("guest_agent_config", mapOf(STRING, STRING))
                .dyn("cpu_info", mapOf(STRING, STRING))
                .rw("policy_no_vendor_device", BOOL)
                .rw("live_patching_disabled", BOOL)
                .dyn("igmp_snooping_enabled", BOOL)
                .ro("uefi_certificates", STRING)
                .ro("custom_uefi_certificates", STRING)
                .rw("is_psr_pending", BOOL)
                .dyn("tls_verification_enabled", BOOL)
                .dyn("repositories", setOf(ref("Repository")))
                .dyn("client_certificate_auth_enabled", BOOL)
                .dyn("client_certificate_auth_name", STRING)
                .dyn("repository_proxy_url", STRING)
                .dyn("repository_proxy_username", STRING)
                .dyn("repository_proxy_password", ref("secret"))
                .rw("migration_compression", BOOL)
                .rw("coordinator_bias", BOOL, true)
                .ro("local_auth_max_threads", INT, 8L)
                .ro("ext_auth_max_threads", INT, 1L)
                .dyn("telemetry_uuid", ref("secret"))
                .dyn("telemetry_frequency", Enums.TELEMETRY_FREQUENCY, "weekly")
                .dyn("telemetry_next_collection", DATETIME)
                .dyn("last_update_sync", DATETIME)
                .dyn("update_sync_frequency", Enums.UPDATE_SYNC_FREQUENCY, "weekly")
                .dyn("update_sync_day", INT)
                .dyn("update_sync_enabled", BOOL);
    }

    static ClassDef.Builder poolPatch() {
        return ClassDef.of("pool_patch", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .ro("version", STRING)
                .dyn("size", INT)
                .dyn("pool_applied", BOOL)
                .relation("host_patches", "host_patch", "pool_patch")
                .dyn("after_apply_guidance", setOf(Enums.AFTER_APPLY_GUIDANCE))
                .ro("pool_update", ref("pool_update"))
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder poolUpdate() {
        return ClassDef.of("pool_update", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .ro("version", STRING)
                .ro("installation_size", INT)
                .ro("key", STRING)
                .ro("after_apply_guidance", setOf(Enums.UPDATE_AFTER_APPLY_GUIDANCE))
                .ro("vdi", ref("VDI"))
                .dyn("hosts", setOf(ref("host")))
                .rw("other_config", mapOf(STRING, STRING))
                .ro("enforce_homogeneity", BOOL);
    }

    static ClassDef.Builder host() {
        return ClassDef.of("host", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .dyn("memory_overhead", INT)
                .dyn("allowed_operations", setOf(Enums.HOST_ALLOWED_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.HOST_ALLOWED_OPERATIONS))
                .dyn("API_version_major", INT)
                .dyn("API_version_minor", INT)
                .dyn("API_version_vendor", STRING)
                .dyn("API_version_vendor_implementation", mapOf(STRING, STRING))
                .dyn("enabled", BOOL)
                .ro("software_version", mapOf(STRING, STRING))
                .rw("other_config", mapOf(STRING, STRING))
                .ro("capabilities", setOf(STRING))
                .dyn("cpu_configuration", mapOf(STRING, STRING))
                .dyn("sched_policy", STRING)
                .dyn("supported_bootloaders", setOf(STRING))
                .relation("resident_VMs", "VM", "resident_on")
                .rw("logging", mapOf(STRING, STRING))
                .relation("PIFs", "PIF", "host")
                .rw("suspend_image_sr", ref("SR"))
                .rw("crash_dump_sr", ref("SR"))
                .relation("crashdumps", "host_crashdump", "host")
                .relation("patches", "host_patch", "host")
                .dyn("updates", setOf(ref("pool_update")))
                .relation("PBDs", "PBD", "host")
                .relation("host_CPUs", "host_cpu", "host")
                .dyn("cpu_info", mapOf(STRING, STRING))
                .rw("hostname", STRING)
                .rw("address", STRING)
                .dyn("metrics", ref("host_metrics"))
                .dyn("license_params", mapOf(STRING, STRING))
                .dyn("ha_statefiles", setOf(STRING))
                .dyn("ha_network_peers", setOf(STRING))
                .dyn("blobs", mapOf(STRING, ref("blob")))
                .rw("tags", setOf(STRING))
                .dyn("external_auth_type", STRING)
                .dyn("external_auth_service_name", STRING)
                .dyn("external_auth_configuration", mapOf(STRING, STRING))
                .dyn("edition", STRING)
                .rw("license_server", mapOf(STRING, STRING), Map.of("address", "localhost", "port", "27000"))
                .dyn("bios_strings", mapOf(STRING, STRING))
                .dyn("power_on_mode", STRING)
                .dyn("power_on_config", mapOf(STRING, STRING))
                .ro("local_cache_sr", ref("SR"))
                .dyn("chipset_info", mapOf(STRING, STRING))
                .relation("PCIs", "PCI", "host")
                .relation("PGPUs", "PGPU", "host")
                .relation("PUSBs", "PUSB", "host")
                .ro("ssl_legacy", BOOL, true)
                .rw("guest_VCPUs_params", mapOf(STRING, STRING))
                .rw("display", Enums.HOST_DISPLAY, "enabled")
                .dyn("virtual_hardware_platform_versions", setOf(INT), List.of(0L))
                .dyn("control_domain", ref("VM"))
                .dyn("updates_requiring_reboot", setOf(ref("pool_update")))
                .relation("features", "Feature", "host")
                .ro("iscsi_iqn", STRING)
                .ro("multipathing", BOOL)
                .ro("uefi_certificates", STRING)
                .relation("certificates", "Certificate", "host")
                .dyn("editions", setOf(STRING))
                .dyn("pending_guidances", setOf(Enums.UPDATE_GUIDANCES))
                .dyn("tls_verification_enabled", BOOL)
                .dyn("last_software_update", DATETIME)
                .dyn("https_only", BOOL)
                .dyn("latest_synced_updates_applied", Enums.LATEST_SYNCED_UPDATES_APPLIED_STATE, "unknown")
                .dyn("numa_affinity_policy", Enums.HOST_NUMA_AFFINITY_POLICY, "default_policy")
                .dyn("pending_guidances_recommended", setOf(Enums.UPDATE_GUIDANCES))
                .dyn("pending_guidances_full", setOf(Enums.UPDATE_GUIDANCES))
                .dyn("last_update_hash", STRING)
                .message(msg("call_plugin").param("host", ref("host")).param("plugin", STRING).param("fn", STRING)
                        .param("args", mapOf(STRING, STRING)).returns(STRING).async()
                        .errors("XENAPI_MISSING_PLUGIN", "XENAPI_PLUGIN_FAILURE")
                        .doc("Call a host plugin; Flotilla answers the plugins web clients ask for"))
                .message(msg("get_data_sources").role(Access.READ_ONLY).param("host", ref("host")).returns(setOf(record("data_source")))
                        .doc("The metrics this host records over time, and whether each is being recorded"))
                .message(msg("record_data_source").role(Access.POOL_OPERATOR).param("host", ref("host")).param("data_source", STRING)
                        .doc("Begin archiving a metric of this host"))
                .message(msg("query_data_source").role(Access.READ_ONLY).param("host", ref("host")).param("data_source", STRING)
                        .returns(FLOAT).doc("A metric's most recent value, the average of the last 5-second step"))
                .message(msg("forget_data_source_archives").role(Access.POOL_OPERATOR).param("host", ref("host"))
                        .param("data_source", STRING).doc("Drop the history recorded for a metric of this host"));
    }

    static ClassDef.Builder hostCrashdump() {
        return ClassDef.of("host_crashdump", "")
                .ro("host", ref("host"))
                .dyn("timestamp", DATETIME)
                .dyn("size", INT)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder hostPatch() {
        return ClassDef.of("host_patch", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .ro("version", STRING)
                .ro("host", ref("host"))
                .dyn("applied", BOOL)
                .dyn("timestamp_applied", DATETIME)
                .dyn("size", INT)
                .ro("pool_patch", ref("pool_patch"))
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder hostMetrics() {
        return ClassDef.of("host_metrics", "")
                .dyn("memory_total", INT)
                .dyn("memory_free", INT) // removed from XAPI 8 but read by clients of 7.x
                .dyn("live", BOOL)
                .dyn("last_updated", DATETIME)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder hostCpu() {
        return ClassDef.of("host_cpu", "")
                .dyn("host", ref("host"))
                .dyn("number", INT)
                .dyn("vendor", STRING)
                .dyn("speed", INT)
                .dyn("modelname", STRING)
                .dyn("family", INT)
                .dyn("model", INT)
                .dyn("stepping", STRING)
                .dyn("flags", STRING)
                .dyn("features", STRING)
                .dyn("utilisation", FLOAT)
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder feature() {
        return ClassDef.of("Feature", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .dyn("enabled", BOOL)
                .ro("experimental", BOOL)
                .ro("version", STRING, "1.0")
                .dyn("host", ref("host"));
    }

    static ClassDef.Builder repository() {
        return ClassDef.of("Repository", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .ro("binary_url", STRING)
                .ro("source_url", STRING)
                .ro("update", BOOL)
                .dyn("hash", STRING)
                .ro("gpgkey_path", STRING);
    }

    static ClassDef.Builder observer() {
        return ClassDef.of("Observer", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .ro("hosts", setOf(ref("host")))
                .ro("attributes", mapOf(STRING, STRING))
                .ro("endpoints", setOf(STRING))
                .ro("components", setOf(STRING))
                .ro("enabled", BOOL);
    }

    static ClassDef.Builder cluster() {
        return ClassDef.of("Cluster", "")
                .relation("cluster_hosts", "Cluster_host", "cluster")
                .dyn("pending_forget", setOf(STRING))
                .ro("cluster_token", STRING)
                .ro("cluster_stack", STRING, "corosync")
                .dyn("is_quorate", BOOL)
                .dyn("quorum", INT)
                .dyn("live_hosts", INT)
                .dyn("allowed_operations", setOf(Enums.CLUSTER_OPERATION))
                .dyn("current_operations", mapOf(STRING, Enums.CLUSTER_OPERATION))
                .ro("pool_auto_join", BOOL, true)
                .ro("token_timeout", FLOAT, 20.0)
                .ro("token_timeout_coefficient", FLOAT, 1.0)
                .ro("cluster_config", mapOf(STRING, STRING))
                .rw("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder clusterHost() {
        return ClassDef.of("Cluster_host", "")
                .ro("cluster", ref("Cluster"))
                .ro("host", ref("host"))
                .dyn("enabled", BOOL)
                .ro("PIF", ref("PIF"))
                .dyn("joined", BOOL, true)
                .dyn("live", BOOL)
                .dyn("last_update_live", DATETIME)
                .dyn("allowed_operations", setOf(Enums.CLUSTER_HOST_OPERATION))
                .dyn("current_operations", mapOf(STRING, Enums.CLUSTER_HOST_OPERATION))
                .ro("other_config", mapOf(STRING, STRING));
    }

    static ClassDef.Builder message() {
        return ClassDef.of("message", "")
                .dyn("name", STRING)
                .dyn("priority", INT)
                .dyn("cls", Enums.CLS)
                .dyn("obj_uuid", STRING)
                .dyn("timestamp", DATETIME)
                .dyn("body", STRING)
                .message(msg("create").param("name", STRING).param("priority", INT).param("cls", Enums.CLS)
                        .param("obj_uuid", STRING).param("body", STRING).returns(ref("message"))
                        .doc("Record an alert about an object"))
                .message(msg("destroy").param("self", ref("message")))
                .message(msg("get_since").role(Access.READ_ONLY).param("since", DATETIME)
                        .returns(mapOf(ref("message"), record("message"))).doc("The alerts raised after a time"));
    }

    static ClassDef.Builder blob() {
        return ClassDef.of("blob", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .dyn("size", INT)
                .rw("public", BOOL)
                .ro("last_updated", DATETIME)
                .ro("mime_type", STRING);
    }

    static ClassDef.Builder task() {
        return ClassDef.of("task", "")
                .transientObjects()
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.TASK_ALLOWED_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.TASK_ALLOWED_OPERATIONS))
                .dyn("created", DATETIME)
                .dyn("finished", DATETIME)
                .dyn("status", Enums.TASK_STATUS_TYPE)
                .dyn("resident_on", ref("host"))
                .dyn("progress", FLOAT)
                .dyn("type", STRING)
                .dyn("result", STRING)
                .dyn("error_info", setOf(STRING))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("subtask_of", ref("task"))
                .relation("subtasks", "task", "subtask_of")
                .dyn("backtrace", STRING, "()")
                .message(msg("create").role(Access.READ_ONLY).param("label", STRING).param("description", STRING)
                        .returns(ref("task")).doc("Make a task for a long operation the client drives itself, e.g. an HTTP import"))
                .message(msg("cancel").role(Access.READ_ONLY).async().param("task", ref("task"))
                        .errors("OPERATION_NOT_ALLOWED").doc("Ask the operation behind a pending task to stop"))
                .message(msg("destroy").role(Access.READ_ONLY).param("self", ref("task")).doc("Forget a task"))
                .message(msg("set_status").role(Access.READ_ONLY).param("self", ref("task")).param("value", Enums.TASK_STATUS_TYPE))
                .message(msg("set_progress").role(Access.READ_ONLY).param("self", ref("task")).param("value", FLOAT));
    }

    static ClassDef.Builder event() {
        return ClassDef.of("event", "")
                .notStored()
                .dyn("snapshot", ANY)
                .ro("id", INT)
                .ro("timestamp", DATETIME)
                .ro("class", STRING)
                .ro("operation", Enums.EVENT_OPERATION)
                .ro("ref", STRING)
                .ro("obj_uuid", STRING)
                .message(msg("from").role(Access.READ_ONLY).param("classes", setOf(STRING)).param("token", STRING)
                        .param("timeout", FLOAT).returns(ANY).errors("EVENT_FROM_TOKEN_PARSE_FAILURE", "SESSION_INVALID")
                        .doc("Wait for changes after a token to objects of the given classes (\"*\" for all)"))
                .message(msg("inject").role(Access.READ_ONLY).param("class", STRING).param("ref", STRING).returns(STRING)
                        .doc("Mark an object changed, so that it appears in the next event.from; returns a token"))
                .message(msg("get_current_id").role(Access.READ_ONLY).returns(INT))
                .message(msg("register").role(Access.READ_ONLY).param("classes", setOf(STRING))
                        .doc("Subscribe this session to events of the given classes, read with event.next"))
                .message(msg("unregister").role(Access.READ_ONLY).param("classes", setOf(STRING)))
                .message(msg("next").role(Access.READ_ONLY).returns(ANY).errors("SESSION_NOT_REGISTERED", "EVENTS_LOST")
                        .doc("Wait for and return the events since the last call"));
    }

    static ClassDef.Builder dataSource() {
        return ClassDef.of("data_source", "")
                .notStored()
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("enabled", BOOL)
                .dyn("standard", BOOL)
                .dyn("units", STRING)
                .dyn("min", FLOAT)
                .dyn("max", FLOAT)
                .dyn("value", FLOAT);
    }

    static ClassDef.Builder drTask() {
        return ClassDef.of("DR_task", "")
                .relation("introduced_SRs", "SR", "introduced_by");
    }

    static ClassDef.Builder sdnController() {
        return ClassDef.of("SDN_controller", "")
                .ro("protocol", Enums.SDN_CONTROLLER_PROTOCOL, "ssl")
                .ro("address", STRING)
                .ro("port", INT);
    }
}

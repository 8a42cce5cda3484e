package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.PoolAllowedOperations;
import org.flotilla.model.xenapi.enums.TelemetryFrequency;
import org.flotilla.model.xenapi.enums.UpdateSyncFrequency;

/** The XenAPI's class pool. */
public interface Pool {
    ApiClass<Pool> CLASS = ApiClass.declare(Pool.class, "pool");

    Field<Pool, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Pool, String> name_label = CLASS.rw("name_label", STRING);
    Field<Pool, String> name_description = CLASS.rw("name_description", STRING);
    Field<Pool, Ref<Host>> master = CLASS.dyn("master", ref(Host.class));
    Field<Pool, Ref<SR>> default_SR = CLASS.rw("default_SR", ref(SR.class));
    Field<Pool, Ref<SR>> suspend_image_SR = CLASS.rw("suspend_image_SR", ref(SR.class));
    Field<Pool, Ref<SR>> crash_dump_SR = CLASS.rw("crash_dump_SR", ref(SR.class));
    Field<Pool, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Pool, Boolean> ha_enabled = CLASS.dyn("ha_enabled", BOOL);
    Field<Pool, Map<String, String>> ha_configuration = CLASS.dyn("ha_configuration", STRING_MAP);
    Field<Pool, List<String>> ha_statefiles = CLASS.dyn("ha_statefiles", STRING_SET);
    Field<Pool, Long> ha_host_failures_to_tolerate = CLASS.dyn("ha_host_failures_to_tolerate", INT);
    Field<Pool, Long> ha_plan_exists_for = CLASS.dyn("ha_plan_exists_for", INT);
    Field<Pool, Boolean> ha_allow_overcommit = CLASS.rw("ha_allow_overcommit", BOOL);
    Field<Pool, Boolean> ha_overcommitted = CLASS.dyn("ha_overcommitted", BOOL);
    Field<Pool, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)));
    Field<Pool, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<Pool, Map<String, String>> gui_config = CLASS.rw("gui_config", STRING_MAP);
    Field<Pool, Map<String, String>> health_check_config = CLASS.rw("health_check_config", STRING_MAP);
    Field<Pool, String> wlb_url = CLASS.dyn("wlb_url", STRING);
    Field<Pool, String> wlb_username = CLASS.dyn("wlb_username", STRING);
    Field<Pool, Boolean> wlb_enabled = CLASS.rw("wlb_enabled", BOOL);
    Field<Pool, Boolean> wlb_verify_cert = CLASS.rw("wlb_verify_cert", BOOL);
    Field<Pool, Boolean> redo_log_enabled = CLASS.dyn("redo_log_enabled", BOOL);
    Field<Pool, Ref<VDI>> redo_log_vdi = CLASS.dyn("redo_log_vdi", ref(VDI.class));
    Field<Pool, String> vswitch_controller = CLASS.dyn("vswitch_controller", STRING);
    Field<Pool, Map<String, String>> restrictions = CLASS.dyn("restrictions", STRING_MAP);
    Relation<Pool, VDI> metadata_VDIs = CLASS.relation("metadata_VDIs", () -> VDI.metadata_of_pool);
    Field<Pool, String> ha_cluster_stack = CLASS.dyn("ha_cluster_stack", STRING);
    Field<Pool, List<PoolAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(PoolAllowedOperations.class)));
    Field<Pool, Map<String, PoolAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(PoolAllowedOperations.class)));
    Field<Pool, Map<String, String>> guest_agent_config = CLASS.dyn("guest_agent_config", STRING_MAP);
    Field<Pool, Map<String, String>> cpu_info = CLASS.dyn("cpu_info", STRING_MAP);
    Field<Pool, Boolean> policy_no_vendor_device = CLASS.rw("policy_no_vendor_device", BOOL);
    Field<Pool, Boolean> live_patching_disabled = CLASS.rw("live_patching_disabled", BOOL);
    Field<Pool, Boolean> igmp_snooping_enabled = CLASS.dyn("igmp_snooping_enabled", BOOL);
    Field<Pool, String> uefi_certificates = CLASS.ro("uefi_certificates", STRING);
    Field<Pool, String> custom_uefi_certificates = CLASS.ro("custom_uefi_certificates", STRING);
    Field<Pool, Boolean> is_psr_pending = CLASS.rw("is_psr_pending", BOOL);
    Field<Pool, Boolean> tls_verification_enabled = CLASS.dyn("tls_verification_enabled", BOOL);
    Field<Pool, List<Ref<Repository>>> repositories = CLASS.dyn("repositories", setOf(ref(Repository.class)));
    Field<Pool, Boolean> client_certificate_auth_enabled = CLASS.dyn("client_certificate_auth_enabled", BOOL);
    Field<Pool, String> client_certificate_auth_name = CLASS.dyn("client_certificate_auth_name", STRING);
    Field<Pool, String> repository_proxy_url = CLASS.dyn("repository_proxy_url", STRING);
    Field<Pool, String> repository_proxy_username = CLASS.dyn("repository_proxy_username", STRING);
    Field<Pool, Ref<Secret>> repository_proxy_password = CLASS.dyn("repository_proxy_password", ref(Secret.class));
    Field<Pool, Boolean> migration_compression = CLASS.rw("migration_compression", BOOL);
    Field<Pool, Boolean> coordinator_bias = CLASS.rw("coordinator_bias", BOOL, true);
    Field<Pool, Long> local_auth_max_threads = CLASS.ro("local_auth_max_threads", INT, 8L);
    Field<Pool, Long> ext_auth_max_threads = CLASS.ro("ext_auth_max_threads", INT, 1L);
    Field<Pool, Ref<Secret>> telemetry_uuid = CLASS.dyn("telemetry_uuid", ref(Secret.class));
    Field<Pool, TelemetryFrequency> telemetry_frequency = CLASS.dyn("telemetry_frequency", enumOf(TelemetryFrequency.class), TelemetryFrequency.weekly);
    Field<Pool, Instant> telemetry_next_collection = CLASS.dyn("telemetry_next_collection", DATETIME);
    Field<Pool, Instant> last_update_sync = CLASS.dyn("last_update_sync", DATETIME);
    Field<Pool, UpdateSyncFrequency> update_sync_frequency = CLASS.dyn("update_sync_frequency", enumOf(UpdateSyncFrequency.class), UpdateSyncFrequency.weekly);
    Field<Pool, Long> update_sync_day = CLASS.dyn("update_sync_day", INT);
    Field<Pool, Boolean> update_sync_enabled = CLASS.dyn("update_sync_enabled", BOOL);
}

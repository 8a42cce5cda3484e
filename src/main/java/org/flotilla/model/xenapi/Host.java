package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;
import org.flotilla.model.xenapi.enums.HostDisplay;
import org.flotilla.model.xenapi.enums.HostNumaAffinityPolicy;
import org.flotilla.model.xenapi.enums.LatestSyncedUpdatesAppliedState;
import org.flotilla.model.xenapi.enums.UpdateGuidances;

/** The XenAPI's class host. */
public interface Host {
    ApiClass<Host> CLASS = ApiClass.declare(Host.class, "host");

    Field<Host, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Host, String> name_label = CLASS.rw("name_label", STRING);
    Field<Host, String> name_description = CLASS.rw("name_description", STRING);
    Field<Host, Long> memory_overhead = CLASS.dyn("memory_overhead", INT);
    Field<Host, List<HostAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(HostAllowedOperations.class)));
    Field<Host, Map<String, HostAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(HostAllowedOperations.class)));
    Field<Host, Long> API_version_major = CLASS.dyn("API_version_major", INT);
    Field<Host, Long> API_version_minor = CLASS.dyn("API_version_minor", INT);
    Field<Host, String> API_version_vendor = CLASS.dyn("API_version_vendor", STRING);
    Field<Host, Map<String, String>> API_version_vendor_implementation = CLASS.dyn("API_version_vendor_implementation", STRING_MAP);
    Field<Host, Boolean> enabled = CLASS.dyn("enabled", BOOL);
    Field<Host, Map<String, String>> software_version = CLASS.ro("software_version", STRING_MAP);
    Field<Host, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Host, List<String>> capabilities = CLASS.ro("capabilities", STRING_SET);
    Field<Host, Map<String, String>> cpu_configuration = CLASS.dyn("cpu_configuration", STRING_MAP);
    Field<Host, String> sched_policy = CLASS.dyn("sched_policy", STRING);
    Field<Host, List<String>> supported_bootloaders = CLASS.dyn("supported_bootloaders", STRING_SET);
    Relation<Host, VM> resident_VMs = CLASS.relation("resident_VMs", () -> VM.resident_on);
    Field<Host, Map<String, String>> logging = CLASS.rw("logging", STRING_MAP);
    Relation<Host, PIF> PIFs = CLASS.relation("PIFs", () -> PIF.host);
    Field<Host, Ref<SR>> suspend_image_sr = CLASS.rw("suspend_image_sr", ref(SR.class));
    Field<Host, Ref<SR>> crash_dump_sr = CLASS.rw("crash_dump_sr", ref(SR.class));
    Relation<Host, Host_crashdump> crashdumps = CLASS.relation("crashdumps", () -> Host_crashdump.host);
    Relation<Host, Host_patch> patches = CLASS.relation("patches", () -> Host_patch.host);
    Field<Host, List<Ref<Pool_update>>> updates = CLASS.dyn("updates", setOf(ref(Pool_update.class)));
    Relation<Host, PBD> PBDs = CLASS.relation("PBDs", () -> PBD.host);
    Relation<Host, Host_cpu> host_CPUs = CLASS.relation("host_CPUs", () -> Host_cpu.host);
    Field<Host, Map<String, String>> cpu_info = CLASS.dyn("cpu_info", STRING_MAP);
    Field<Host, String> hostname = CLASS.rw("hostname", STRING);
    Field<Host, String> address = CLASS.rw("address", STRING);
    Field<Host, Ref<Host_metrics>> metrics = CLASS.dyn("metrics", ref(Host_metrics.class));
    Field<Host, Map<String, String>> license_params = CLASS.dyn("license_params", STRING_MAP);
    Field<Host, List<String>> ha_statefiles = CLASS.dyn("ha_statefiles", STRING_SET);
    Field<Host, List<String>> ha_network_peers = CLASS.dyn("ha_network_peers", STRING_SET);
    Field<Host, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)));
    Field<Host, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<Host, String> external_auth_type = CLASS.dyn("external_auth_type", STRING);
    Field<Host, String> external_auth_service_name = CLASS.dyn("external_auth_service_name", STRING);
    Field<Host, Map<String, String>> external_auth_configuration = CLASS.dyn("external_auth_configuration", STRING_MAP);
    Field<Host, String> edition = CLASS.dyn("edition", STRING);
    Field<Host, Map<String, String>> license_server = CLASS.rw("license_server", STRING_MAP, Map.of("port", "27000", "address", "localhost"));
    Field<Host, Map<String, String>> bios_strings = CLASS.dyn("bios_strings", STRING_MAP);
    Field<Host, String> power_on_mode = CLASS.dyn("power_on_mode", STRING);
    Field<Host, Map<String, String>> power_on_config = CLASS.dyn("power_on_config", STRING_MAP);
    Field<Host, Ref<SR>> local_cache_sr = CLASS.ro("local_cache_sr", ref(SR.class));
    Field<Host, Map<String, String>> chipset_info = CLASS.dyn("chipset_info", STRING_MAP);
    Relation<Host, PCI> PCIs = CLASS.relation("PCIs", () -> PCI.host);
    Relation<Host, PGPU> PGPUs = CLASS.relation("PGPUs", () -> PGPU.host);
    Relation<Host, PUSB> PUSBs = CLASS.relation("PUSBs", () -> PUSB.host);
    Field<Host, Boolean> ssl_legacy = CLASS.ro("ssl_legacy", BOOL, true);
    Field<Host, Map<String, String>> guest_VCPUs_params = CLASS.rw("guest_VCPUs_params", STRING_MAP);
    Field<Host, HostDisplay> display = CLASS.rw("display", enumOf(HostDisplay.class));
    Field<Host, List<Long>> virtual_hardware_platform_versions = CLASS.dyn("virtual_hardware_platform_versions", setOf(INT), List.of(0L));
    Field<Host, Ref<VM>> control_domain = CLASS.dyn("control_domain", ref(VM.class));
    Field<Host, List<Ref<Pool_update>>> updates_requiring_reboot = CLASS.dyn("updates_requiring_reboot", setOf(ref(Pool_update.class)));
    Relation<Host, Feature> features = CLASS.relation("features", () -> Feature.host);
    Field<Host, String> iscsi_iqn = CLASS.ro("iscsi_iqn", STRING);
    Field<Host, Boolean> multipathing = CLASS.ro("multipathing", BOOL);
    Field<Host, String> uefi_certificates = CLASS.ro("uefi_certificates", STRING);
    Relation<Host, Certificate> certificates = CLASS.relation("certificates", () -> Certificate.host);
    Field<Host, List<String>> editions = CLASS.dyn("editions", STRING_SET);
    Field<Host, List<UpdateGuidances>> pending_guidances = CLASS.dyn("pending_guidances", setOf(enumOf(UpdateGuidances.class)));
    Field<Host, Boolean> tls_verification_enabled = CLASS.dyn("tls_verification_enabled", BOOL);
    Field<Host, Instant> last_software_update = CLASS.dyn("last_software_update", DATETIME);
    Field<Host, Boolean> https_only = CLASS.dyn("https_only", BOOL);
    Field<Host, LatestSyncedUpdatesAppliedState> latest_synced_updates_applied = CLASS.dyn("latest_synced_updates_applied", enumOf(LatestSyncedUpdatesAppliedState.class), LatestSyncedUpdatesAppliedState.unknown);
    Field<Host, HostNumaAffinityPolicy> numa_affinity_policy = CLASS.dyn("numa_affinity_policy", enumOf(HostNumaAffinityPolicy.class), HostNumaAffinityPolicy.default_policy);
    Field<Host, List<UpdateGuidances>> pending_guidances_recommended = CLASS.dyn("pending_guidances_recommended", setOf(enumOf(UpdateGuidances.class)));
    Field<Host, List<UpdateGuidances>> pending_guidances_full = CLASS.dyn("pending_guidances_full", setOf(enumOf(UpdateGuidances.class)));
    Field<Host, String> last_update_hash = CLASS.dyn("last_update_hash", STRING);

    /** The messages of host that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Call a host plugin; Flotilla answers the plugins web clients ask for")
        @Api(async = true, errors = {"XENAPI_MISSING_PLUGIN", "XENAPI_PLUGIN_FAILURE"})
        String call_plugin(Ref<Host> host, String plugin, String fn, Map<String, String> args);

        @Doc("The metrics this host records over time, and whether each is being recorded")
        @Api(role = Access.READ_ONLY)
        List<Rec<Data_source>> get_data_sources(Ref<Host> host);

        @Doc("Begin archiving a metric of this host")
        @Api(role = Access.POOL_OPERATOR)
        void record_data_source(Ref<Host> host, String data_source);

        @Doc("A metric's most recent value, the average of the last 5-second step")
        @Api(role = Access.READ_ONLY)
        double query_data_source(Ref<Host> host, String data_source);

        @Doc("Drop the history recorded for a metric of this host")
        @Api(role = Access.POOL_OPERATOR)
        void forget_data_source_archives(Ref<Host> host, String data_source);
    }
}

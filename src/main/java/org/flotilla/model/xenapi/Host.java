package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.time.LocalDateTime;
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
import org.flotilla.model.xenapi.enums.HostAllowedOperations;
import org.flotilla.model.xenapi.enums.HostDisplay;
import org.flotilla.model.xenapi.enums.HostNumaAffinityPolicy;
import org.flotilla.model.xenapi.enums.LatestSyncedUpdatesAppliedState;
import org.flotilla.model.xenapi.enums.UpdateGuidances;

/** A physical machine that runs VMs: this one, made at first start and brought up to date at every start. */
public interface Host {
    ApiClass<Host> CLASS = ApiClass.declare(Host.class, "host")
            .doc("A physical machine that runs VMs: this one, made at first start and brought up to date at every start.");

    Field<Host, String> uuid = CLASS.dyn("uuid", STRING).doc("The host's unique identifier, fixed for its whole life.");
    Field<Host, String> name_label = CLASS.rw("name_label", STRING).doc("The host's name as people know it; its hostname at first start.");
    Field<Host, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the host.");
    Field<Host, Long> memory_overhead = CLASS.dyn("memory_overhead", INT)
            .doc("The memory the host keeps for itself beyond its VMs, in bytes; Flotilla leaves it 0.");
    Field<Host, List<HostAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(HostAllowedOperations.class)))
            .doc("The operations that may be started on the host now, as XAPI reckons them (reboot and shutdown only once it is disabled).");
    Field<Host, Map<String, HostAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(HostAllowedOperations.class)))
            .doc("The operations under way on the host (evacuate, enable, a VM starting or resuming there), by task.");
    Field<Host, Long> API_version_major = CLASS.dyn("API_version_major", INT).doc("The major version of the XenAPI the host speaks (2).");
    Field<Host, Long> API_version_minor = CLASS.dyn("API_version_minor", INT).doc("The minor version of the XenAPI the host speaks (21).");
    Field<Host, String> API_version_vendor = CLASS.dyn("API_version_vendor", STRING).doc("Whose XenAPI the host speaks (XenSource).");
    Field<Host, Map<String, String>> API_version_vendor_implementation = CLASS.dyn("API_version_vendor_implementation", STRING_MAP)
            .doc("Details of the vendor's implementation; empty.");
    Field<Host, Boolean> enabled = CLASS.dyn("enabled", BOOL)
            .doc("Whether new VMs may start or resume on the host; host.disable clears it until host.enable or, unless asked otherwise, the daemon's next start.");
    Field<Host, Map<String, String>> software_version = CLASS.ro("software_version", STRING_MAP)
            .doc("Version strings: product_version, platform_name (Flotilla), xapi, linux, hostname and others.");
    Field<Host, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the host.");
    Field<Host, List<String>> capabilities = CLASS.ro("capabilities", STRING_SET)
            .doc("The kinds of guest the host can run, as XAPI names them (hvm-3.0-x86_64, ...).");
    Field<Host, Map<String, String>> cpu_configuration = CLASS.dyn("cpu_configuration", STRING_MAP)
            .doc("The CPU topology (sockets, cores, threads); Flotilla does not fill it in.");
    Field<Host, String> sched_policy = CLASS.dyn("sched_policy", STRING).doc("The vCPU scheduler in force, as XAPI names it (credit).");
    Field<Host, List<String>> supported_bootloaders = CLASS.dyn("supported_bootloaders", STRING_SET)
            .doc("The PV bootloaders XAPI clients expect listed (pygrub, eliloader); Flotilla runs none.");
    Relation<Host, VM> resident_VMs = CLASS.relation("resident_VMs", () -> VM.resident_on)
            .doc("The VMs running on the host, and its control domain.");
    Field<Host, Map<String, String>> logging = CLASS.rw("logging", STRING_MAP).doc("Where the host should log; Flotilla does not use it.");
    Relation<Host, PIF> PIFs = CLASS.relation("PIFs", () -> PIF.host).doc("The host's network interfaces.");
    Field<Host, Ref<SR>> suspend_image_sr = CLASS.rw("suspend_image_sr", ref(SR.class))
            .doc("The host's SR for suspend images, the local SR at first start; Flotilla uses the VM's or pool's.");
    Field<Host, Ref<SR>> crash_dump_sr = CLASS.rw("crash_dump_sr", ref(SR.class))
            .doc("The host's SR for crash dumps, the local SR at first start; Flotilla writes core dumps to files.");
    Relation<Host, Host_crashdump> crashdumps = CLASS.relation("crashdumps", () -> Host_crashdump.host)
            .doc("Crash dumps of the host itself; Flotilla makes none.");
    Relation<Host, Host_patch> patches = CLASS.relation("patches", () -> Host_patch.host)
            .doc("The patches applied on the host; none with Flotilla.");
    Field<Host, List<Ref<Pool_update>>> updates = CLASS.dyn("updates", setOf(ref(Pool_update.class)))
            .doc("The updates applied on the host; none with Flotilla.");
    Relation<Host, PBD> PBDs = CLASS.relation("PBDs", () -> PBD.host).doc("How the host reaches its SRs.");
    Relation<Host, Host_cpu> host_CPUs = CLASS.relation("host_CPUs", () -> Host_cpu.host).doc("The host's CPUs, one record each.");
    Field<Host, Map<String, String>> cpu_info = CLASS.dyn("cpu_info", STRING_MAP)
            .doc("The host's CPUs: cpu_count, socket_count, vendor, modelname, speed, family, model, stepping, flags.");
    Field<Host, String> hostname = CLASS.rw("hostname", STRING).doc("The host's hostname, read at every start.");
    Field<Host, String> address = CLASS.rw("address", STRING)
            .doc("The address clients reach the host at, read at every start; console locations use it.");
    Field<Host, Ref<Host_metrics>> metrics = CLASS.dyn("metrics", ref(Host_metrics.class))
            .doc("The host's metrics: its memory in total and free.");
    Field<Host, Map<String, String>> license_params = CLASS.dyn("license_params", STRING_MAP)
            .doc("The host's licence: sku_type free, expiring in the year 3000.");
    Field<Host, List<String>> ha_statefiles = CLASS.dyn("ha_statefiles", STRING_SET)
            .doc("The high availability state files the host can reach; none.");
    Field<Host, List<String>> ha_network_peers = CLASS.dyn("ha_network_peers", STRING_SET)
            .doc("The hosts high availability can reach from this one; none.");
    Field<Host, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)))
            .doc("Binary objects stored with the host, by name.");
    Field<Host, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give hosts, to group and find them.");
    Field<Host, String> external_auth_type = CLASS.dyn("external_auth_type", STRING)
            .doc("The external login service in use (e.g. AD); empty, as only root logs in.");
    Field<Host, String> external_auth_service_name = CLASS.dyn("external_auth_service_name", STRING)
            .doc("The name of the external login service; empty.");
    Field<Host, Map<String, String>> external_auth_configuration = CLASS.dyn("external_auth_configuration", STRING_MAP)
            .doc("The external login service's settings; empty.");
    Field<Host, String> edition = CLASS.dyn("edition", STRING).doc("The product edition the host runs as (xcp-ng).");
    Field<Host, Map<String, String>> license_server = CLASS.rw("license_server", STRING_MAP, Map.of("port", "27000", "address", "localhost"))
            .doc("Where the licence server is (address and port); Flotilla needs none.");
    Field<Host, Map<String, String>> bios_strings = CLASS.dyn("bios_strings", STRING_MAP)
            .doc("The host's SMBIOS strings; Flotilla does not read them.");
    Field<Host, String> power_on_mode = CLASS.dyn("power_on_mode", STRING)
            .doc("How the host can be powered on remotely (e.g. wake-on-LAN); empty, as Flotilla cannot.");
    Field<Host, Map<String, String>> power_on_config = CLASS.dyn("power_on_config", STRING_MAP)
            .doc("Settings of the remote power-on mode.");
    Field<Host, Ref<SR>> local_cache_sr = CLASS.ro("local_cache_sr", ref(SR.class))
            .doc("The SR used to cache disks of shared SRs; none with Flotilla.");
    Field<Host, Map<String, String>> chipset_info = CLASS.dyn("chipset_info", STRING_MAP)
            .doc("Chipset features: iommu (false, as Flotilla passes no devices through).");
    Relation<Host, PCI> PCIs = CLASS.relation("PCIs", () -> PCI.host).doc("The host's PCI devices; Flotilla does not list them.");
    Relation<Host, PGPU> PGPUs = CLASS.relation("PGPUs", () -> PGPU.host).doc("The host's GPUs; Flotilla does not list them.");
    Relation<Host, PUSB> PUSBs = CLASS.relation("PUSBs", () -> PUSB.host).doc("The host's USB devices; Flotilla does not list them.");
    Field<Host, Boolean> ssl_legacy = CLASS.ro("ssl_legacy", BOOL, true)
            .doc("Whether old TLS versions are accepted; Flotilla serves TLS 1.2 and 1.3 only, whatever this says.");
    Field<Host, Map<String, String>> guest_VCPUs_params = CLASS.rw("guest_VCPUs_params", STRING_MAP)
            .doc("vCPU parameters for every guest on the host; Flotilla does not use them.");
    Field<Host, HostDisplay> display = CLASS.rw("display", enumOf(HostDisplay.class))
            .doc("Whether the host's own console is shown on its display.");
    Field<Host, List<Long>> virtual_hardware_platform_versions = CLASS.dyn("virtual_hardware_platform_versions", setOf(INT), List.of(0L))
            .doc("The virtual hardware platform versions the host can give its VMs.");
    Field<Host, Ref<VM>> control_domain = CLASS.dyn("control_domain", ref(VM.class))
            .doc("The host's control domain: the VM record that stands for the host itself (domain 0).");
    Field<Host, List<Ref<Pool_update>>> updates_requiring_reboot = CLASS.dyn("updates_requiring_reboot", setOf(ref(Pool_update.class)))
            .doc("Updates that wait for the host to reboot; none.");
    Relation<Host, Feature> features = CLASS.relation("features", () -> Feature.host)
            .doc("The host's optional features; Flotilla lists none.");
    Field<Host, String> iscsi_iqn = CLASS.ro("iscsi_iqn", STRING).doc("The host's iSCSI initiator name; Flotilla has no iSCSI SRs.");
    Field<Host, Boolean> multipathing = CLASS.ro("multipathing", BOOL).doc("Whether storage multipathing is on; Flotilla has none.");
    Field<Host, String> uefi_certificates = CLASS.ro("uefi_certificates", STRING)
            .doc("The UEFI Secure Boot certificates of the host; Flotilla uses those that come with OVMF.");
    Relation<Host, Certificate> certificates = CLASS.relation("certificates", () -> Certificate.host)
            .doc("The TLS certificates of the host; Flotilla keeps its certificate in a file, not as a record.");
    Field<Host, List<String>> editions = CLASS.dyn("editions", STRING_SET).doc("The product editions the host can run as (xcp-ng).");
    Field<Host, List<UpdateGuidances>> pending_guidances = CLASS.dyn("pending_guidances", setOf(enumOf(UpdateGuidances.class)))
            .doc("What must be done to the host for applied updates to take effect; none.");
    Field<Host, Boolean> tls_verification_enabled = CLASS.dyn("tls_verification_enabled", BOOL)
            .doc("Whether the host checks the TLS certificates of other hosts.");
    Field<Host, Instant> last_software_update = CLASS.dyn("last_software_update", DATETIME)
            .doc("When the host's software was last updated.");
    Field<Host, Boolean> https_only = CLASS.dyn("https_only", BOOL)
            .doc("Whether the host serves its API over HTTPS only: true (plain HTTP is only a local testing option).");
    Field<Host, LatestSyncedUpdatesAppliedState> latest_synced_updates_applied = CLASS.dyn("latest_synced_updates_applied", enumOf(LatestSyncedUpdatesAppliedState.class), LatestSyncedUpdatesAppliedState.unknown)
            .doc("Whether the host has every update fetched from the repositories; unknown.");
    Field<Host, HostNumaAffinityPolicy> numa_affinity_policy = CLASS.dyn("numa_affinity_policy", enumOf(HostNumaAffinityPolicy.class), HostNumaAffinityPolicy.default_policy)
            .doc("How VMs are placed on the host's NUMA nodes.");
    Field<Host, List<UpdateGuidances>> pending_guidances_recommended = CLASS.dyn("pending_guidances_recommended", setOf(enumOf(UpdateGuidances.class)))
            .doc("What is recommended to do to the host after updates; none.");
    Field<Host, List<UpdateGuidances>> pending_guidances_full = CLASS.dyn("pending_guidances_full", setOf(enumOf(UpdateGuidances.class)))
            .doc("What to do to the host for updates to take full effect; none.");
    Field<Host, String> last_update_hash = CLASS.dyn("last_update_hash", STRING).doc("The checksum of the last update applied.");

    /** The messages of host that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Call a host plugin; Flotilla has updater.py's check_update and get_updates, which find no updates, and coalesce's stream,"
                + " by which the coordinator has the host running a VM merge a base copy into its disk.")
        @Api(async = true, errors = {"XENAPI_MISSING_PLUGIN", "XENAPI_PLUGIN_FAILURE"})
        String call_plugin(Ref<Host> host, String plugin, String fn, Map<String, String> args);

        @Doc("The host's TLS certificate, in PEM: the one its API serves and it shows the pool's other members.")
        @Api(role = Access.READ_ONLY)
        String get_server_certificate(Ref<Host> host);

        @Doc("Within a pool: the host keeps every other member's TLS certificate, read from that member over the pool's TLS "
                + "and checked against the fingerprint the pool database lists for it (pool.certificate_sync calls it on each member).")
        @Api(errors = {"CANNOT_CONTACT_HOST", "SSL_VERIFY_ERROR"})
        void certificate_sync(Ref<Host> host);

        @Doc("The metrics this host records over time, and whether each is archived.")
        @Api(role = Access.READ_ONLY)
        List<Rec<Data_source>> get_data_sources(Ref<Host> host);

        @Doc("Begin archiving a metric of this host.")
        @Api(role = Access.POOL_OPERATOR)
        void record_data_source(Ref<Host> host, String data_source);

        @Doc("A metric's most recent value: the average over the last 5-second step.")
        @Api(role = Access.READ_ONLY)
        double query_data_source(Ref<Host> host, String data_source);

        @Doc("Drop the history recorded for a metric of this host.")
        @Api(role = Access.POOL_OPERATOR)
        void forget_data_source_archives(Ref<Host> host, String data_source);

        @Doc("Prepare the host to receive a VM by VM.migrate_send: returns the map to pass to it as dest (the host, its SM and xenops addresses on the network's interface with a new session of the caller's for them, the pool's master, and host_certificate_sha256, the SHA-256 fingerprint of the host's TLS certificate, by which a source in another pool knows it).")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"HOST_CANNOT_ATTACH_NETWORK", "PIF_HAS_NO_NETWORK_CONFIGURATION", "INTERFACE_HAS_NO_IP"})
        Map<String, String> migrate_receive(Ref<Host> host, Ref<Network> network, Map<String, String> options);

        @Doc("Let no new VM start or resume on the host; those running go on. With auto_enable false it stays disabled across restarts until host.enable.")
        @Api(role = Access.POOL_OPERATOR, async = true)
        void disable(Ref<Host> host, @Default("true") boolean auto_enable);

        @Doc("Let new VMs start and resume on the host again.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"HOST_DISABLED_UNTIL_REBOOT", "OTHER_OPERATION_IN_PROGRESS"})
        void enable(Ref<Host> host);

        @Doc("Fail with CANNOT_EVACUATE_HOST, listing why, unless every VM on the host could move to another.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"CANNOT_EVACUATE_HOST"})
        void assert_can_evacuate(Ref<Host> host);

        @Doc("The VMs on the host that could not move elsewhere, each with the error (code, then parameters) that keeps it.")
        @Api(role = Access.READ_ONLY, async = true)
        Map<Ref<VM>, List<String>> get_vms_which_prevent_evacuation(Ref<Host> self);

        @Doc("Migrate every VM off the host, failing with the first VM's reason if one cannot move; nothing to do when none runs there.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"NO_HOSTS_AVAILABLE", "HOST_NOT_ENOUGH_FREE_MEMORY", "OTHER_OPERATION_IN_PROGRESS"})
        void evacuate(Ref<Host> host, @Default("OpaqueRef:NULL") Ref<Network> network, @Default("0") long evacuate_batch_size);

        @Doc("Shut the host down. It must be disabled and run no VM. Flotilla does not power off the machine it runs on: "
                + "the host is marked not live and its toolstack stops cleanly (the daemon exits); start the daemon again to bring it back.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"HOST_NOT_DISABLED", "HOST_HAS_RESIDENT_VMS", "OTHER_OPERATION_IN_PROGRESS"})
        void shutdown(Ref<Host> host);

        @Doc("Reboot the host. It must be disabled and run no VM. Flotilla does not reboot the machine it runs on: the "
                + "toolstack restarts in place, and the host enables itself again as after a reboot unless it was disabled with auto_enable false.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"HOST_NOT_DISABLED", "HOST_HAS_RESIDENT_VMS", "OTHER_OPERATION_IN_PROGRESS"})
        void reboot(Ref<Host> host);

        @Doc("Restart the host's toolstack in place, after a pause that lets this call answer. Operations in progress are abandoned; running VMs go on.")
        @Api(role = Access.POOL_OPERATOR, async = true)
        void restart_agent(Ref<Host> host);

        @Doc("Power the host on, if it has a power-on mode; Flotilla has none, so this fails as XAPI does without one.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"HOST_IS_LIVE", "HOST_POWER_ON_MODE_DISABLED", "XENAPI_MISSING_PLUGIN"})
        void power_on(Ref<Host> host);

        @Doc("The host's clock, in UTC.")
        @Api(role = Access.READ_ONLY)
        Instant get_servertime(Ref<Host> host);

        @Doc("The host's clock as its local time zone reads it, with no zone (as XAPI gives it).")
        @Api(role = Access.READ_ONLY)
        LocalDateTime get_server_localtime(Ref<Host> host);
    }
}

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
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.PoolAllowedOperations;
import org.flotilla.model.xenapi.enums.TelemetryFrequency;
import org.flotilla.model.xenapi.enums.UpdateSyncFrequency;
import org.flotilla.model.xenapi.enums.PoolGuestSecurebootReadiness;

/** The pool of hosts that share one database: there is always exactly one, and a single host is its own pool's master. */
public interface Pool {
    ApiClass<Pool> CLASS = ApiClass.declare(Pool.class, "pool")
            .doc("The pool of hosts that share one database: there is always exactly one, and a single host is its own pool's master.");

    Field<Pool, String> uuid = CLASS.dyn("uuid", STRING).doc("The pool's unique identifier, fixed for its whole life.");
    Field<Pool, String> name_label = CLASS.rw("name_label", STRING).doc("The pool's name; empty until someone names it.");
    Field<Pool, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the pool.");
    Field<Pool, Ref<Host>> master = CLASS.dyn("master", ref(Host.class))
            .doc("The host that holds the pool's database and serves its API: this host.");
    Field<Pool, Ref<SR>> default_SR = CLASS.rw("default_SR", ref(SR.class))
            .doc("The SR new disks go to when none is named (vm-install, provisioning); the local SR at first start.");
    Field<Pool, Ref<SR>> suspend_image_SR = CLASS.rw("suspend_image_SR", ref(SR.class))
            .doc("The SR for suspend images of VMs whose own suspend_SR is NULL.");
    Field<Pool, Ref<SR>> crash_dump_SR = CLASS.rw("crash_dump_SR", ref(SR.class))
            .doc("The SR for crash dumps; Flotilla writes core dumps to files instead.");
    Field<Pool, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs for clients and tools; create_min_max_in_new_VM_RRDs=true adds MIN and MAX to VM RRDs.");
    Field<Pool, Boolean> ha_enabled = CLASS.dyn("ha_enabled", BOOL)
            .doc("Whether high availability is on; Flotilla has no high availability, so always false.");
    Field<Pool, Map<String, String>> ha_configuration = CLASS.dyn("ha_configuration", STRING_MAP)
            .doc("The high availability settings in force.");
    Field<Pool, List<String>> ha_statefiles = CLASS.dyn("ha_statefiles", STRING_SET).doc("The disks high availability keeps its state on.");
    Field<Pool, Long> ha_host_failures_to_tolerate = CLASS.dyn("ha_host_failures_to_tolerate", INT)
            .doc("How many host failures high availability must survive.");
    Field<Pool, Long> ha_plan_exists_for = CLASS.dyn("ha_plan_exists_for", INT)
            .doc("How many host failures high availability has a plan for.");
    Field<Pool, Boolean> ha_allow_overcommit = CLASS.rw("ha_allow_overcommit", BOOL)
            .doc("Whether operations may leave too little room for high availability's plan.");
    Field<Pool, Boolean> ha_overcommitted = CLASS.dyn("ha_overcommitted", BOOL)
            .doc("Whether the pool has too little room for high availability's plan.");
    Field<Pool, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)))
            .doc("Binary objects stored with the pool, by name.");
    Field<Pool, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give pools, to group and find them.");
    Field<Pool, Map<String, String>> gui_config = CLASS.rw("gui_config", STRING_MAP).doc("Settings graphical clients keep for the pool.");
    Field<Pool, Map<String, String>> health_check_config = CLASS.rw("health_check_config", STRING_MAP)
            .doc("Settings of the vendor's health check service; Flotilla has none.");
    Field<Pool, String> wlb_url = CLASS.dyn("wlb_url", STRING).doc("The URL of a workload balancing server; Flotilla has none.");
    Field<Pool, String> wlb_username = CLASS.dyn("wlb_username", STRING).doc("The user name for the workload balancing server.");
    Field<Pool, Boolean> wlb_enabled = CLASS.rw("wlb_enabled", BOOL)
            .doc("Whether workload balancing advises where VMs run; Flotilla does not use it.");
    Field<Pool, Boolean> wlb_verify_cert = CLASS.rw("wlb_verify_cert", BOOL)
            .doc("Whether the workload balancing server's certificate is checked.");
    Field<Pool, Boolean> redo_log_enabled = CLASS.dyn("redo_log_enabled", BOOL)
            .doc("Whether the database is also logged to a shared disk; Flotilla journals it locally instead.");
    Field<Pool, Ref<VDI>> redo_log_vdi = CLASS.dyn("redo_log_vdi", ref(VDI.class)).doc("The disk of that log.");
    Field<Pool, String> vswitch_controller = CLASS.dyn("vswitch_controller", STRING)
            .doc("The address of an Open vSwitch controller (an old field); Flotilla uses Linux bridges.");
    Field<Pool, Map<String, String>> restrictions = CLASS.dyn("restrictions", STRING_MAP)
            .doc("What the licence holds back, as restrict_* keys: Flotilla restricts nothing, so every one is false.");
    Relation<Pool, VDI> metadata_VDIs = CLASS.relation("metadata_VDIs", () -> VDI.metadata_of_pool)
            .doc("Disks that hold a copy of the pool's metadata; Flotilla makes none.");
    Field<Pool, String> ha_cluster_stack = CLASS.dyn("ha_cluster_stack", STRING).doc("The cluster stack high availability uses.");
    Field<Pool, List<PoolAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(PoolAllowedOperations.class)))
            .doc("The operations that may be started on the pool now; Flotilla lists none.");
    Field<Pool, Map<String, PoolAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(PoolAllowedOperations.class)))
            .doc("The operations under way on the pool; Flotilla lists none.");
    Field<Pool, Map<String, String>> guest_agent_config = CLASS.dyn("guest_agent_config", STRING_MAP)
            .doc("Settings for the guests' agents; Flotilla runs none.");
    Field<Pool, Map<String, String>> cpu_info = CLASS.dyn("cpu_info", STRING_MAP)
            .doc("The CPU features every host of the pool shares; Flotilla does not fill it in.");
    Field<Pool, Boolean> policy_no_vendor_device = CLASS.rw("policy_no_vendor_device", BOOL)
            .doc("An old default for VM.has_vendor_device; VM.create no longer reads it.");
    Field<Pool, Boolean> live_patching_disabled = CLASS.rw("live_patching_disabled", BOOL).doc("Whether live patching of hosts is off.");
    Field<Pool, Boolean> igmp_snooping_enabled = CLASS.dyn("igmp_snooping_enabled", BOOL)
            .doc("Whether the pool's bridges snoop IGMP; Flotilla's do not.");
    Field<Pool, String> uefi_certificates = CLASS.ro("uefi_certificates", STRING)
            .doc("The UEFI Secure Boot certificates for the pool's VMs; Flotilla uses those that come with OVMF.");
    Field<Pool, String> custom_uefi_certificates = CLASS.ro("custom_uefi_certificates", STRING)
            .doc("UEFI Secure Boot certificates an administrator gave; Flotilla does not use them.");
    Field<Pool, Boolean> is_psr_pending = CLASS.rw("is_psr_pending", BOOL).doc("Whether a rotation of the pool secret is under way.");
    Field<Pool, Boolean> tls_verification_enabled = CLASS.dyn("tls_verification_enabled", BOOL)
            .doc("Whether hosts check each other's TLS certificates.");
    Field<Pool, List<Ref<Repository>>> repositories = CLASS.dyn("repositories", setOf(ref(Repository.class)))
            .doc("The update repositories in use; Flotilla updates through its packages instead.");
    Field<Pool, Boolean> client_certificate_auth_enabled = CLASS.dyn("client_certificate_auth_enabled", BOOL)
            .doc("Whether clients may log in with TLS client certificates; not with Flotilla.");
    Field<Pool, String> client_certificate_auth_name = CLASS.dyn("client_certificate_auth_name", STRING)
            .doc("The name a client certificate must carry to log in.");
    Field<Pool, String> repository_proxy_url = CLASS.dyn("repository_proxy_url", STRING)
            .doc("The proxy used to reach the update repositories.");
    Field<Pool, String> repository_proxy_username = CLASS.dyn("repository_proxy_username", STRING).doc("The user name for that proxy.");
    Field<Pool, Ref<Secret>> repository_proxy_password = CLASS.dyn("repository_proxy_password", ref(Secret.class))
            .doc("The secret holding that proxy's password.");
    Field<Pool, Boolean> migration_compression = CLASS.rw("migration_compression", BOOL)
            .doc("Whether VM migrations compress their stream by default.");
    Field<Pool, Boolean> coordinator_bias = CLASS.rw("coordinator_bias", BOOL, true)
            .doc("Whether VMs are started elsewhere than on the master where possible.");
    Field<Pool, Long> local_auth_max_threads = CLASS.ro("local_auth_max_threads", INT, 8L)
            .doc("How many threads check local passwords; Flotilla sizes its own login checks.");
    Field<Pool, Long> ext_auth_max_threads = CLASS.ro("ext_auth_max_threads", INT, 1L).doc("How many threads check external (AD) logins.");
    Field<Pool, Ref<Secret>> telemetry_uuid = CLASS.dyn("telemetry_uuid", ref(Secret.class))
            .doc("The secret identifying the pool's telemetry; Flotilla sends none.");
    Field<Pool, TelemetryFrequency> telemetry_frequency = CLASS.dyn("telemetry_frequency", enumOf(TelemetryFrequency.class), TelemetryFrequency.weekly)
            .doc("How often telemetry would be collected.");
    Field<Pool, Instant> telemetry_next_collection = CLASS.dyn("telemetry_next_collection", DATETIME)
            .doc("When telemetry would next be collected.");
    Field<Pool, Instant> last_update_sync = CLASS.dyn("last_update_sync", DATETIME)
            .doc("When updates were last fetched from the repositories.");
    Field<Pool, UpdateSyncFrequency> update_sync_frequency = CLASS.dyn("update_sync_frequency", enumOf(UpdateSyncFrequency.class), UpdateSyncFrequency.weekly)
            .doc("How often updates are fetched: daily or weekly.");
    Field<Pool, Long> update_sync_day = CLASS.dyn("update_sync_day", INT).doc("The day of the week a weekly fetch happens.");
    Field<Pool, Boolean> update_sync_enabled = CLASS.dyn("update_sync_enabled", BOOL).doc("Whether updates are fetched on a schedule.");

    interface Actions {
        @Doc("Make this host a member of the pool whose coordinator is at master_address, logging in there as master_username. "
                + "The host's own database is set aside for the pool's, and its toolstack restarts as a member; its VMs' records are not carried over.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"JOINING_HOST_CONNECTION_FAILED", "JOINING_HOST_SERVICE_FAILED",
                "JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS", "JOINING_HOST_CANNOT_HAVE_RUNNING_VMS", "JOINING_HOST_CANNOT_HAVE_VMS_WITH_CURRENT_OPERATIONS",
                "JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS", "POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION", "OPERATION_NOT_ALLOWED"})
        void join(String master_address, String master_username, String master_password);

        @Doc("pool.join without the checks that the hosts are alike; the others still apply.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"JOINING_HOST_CONNECTION_FAILED", "JOINING_HOST_SERVICE_FAILED",
                "JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS", "JOINING_HOST_CANNOT_HAVE_RUNNING_VMS", "JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS",
                "OPERATION_NOT_ALLOWED"})
        void join_force(String master_address, String master_username, String master_password);

        @Doc("Remove a member from the pool: it leaves the pool database, its records go, and it restarts as a pool of its own with a fresh database.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"OPERATION_NOT_ALLOWED", "HOST_HAS_RESIDENT_VMS", "CANNOT_CONTACT_HOST"})
        void eject(Ref<Host> host);

        @Doc("Make another member the pool's coordinator, which the pool database's group elects at once; pool.master follows.")
        @Api(role = Access.POOL_OPERATOR, async = true, errors = {"HOST_OFFLINE"})
        void designate_new_master(Ref<Host> host);

        @Doc("The pool's secret, which members use to reach one another; asked for by a host joining the pool.")
        @Api(role = Access.POOL_ADMIN)
        String initial_auth();

        @Doc("Pin a joining host's certificate (PEM), by the host's uuid, and return the certificates of the pool's members, as \"<uuid>.pem\" to PEM.")
        @Api(role = Access.POOL_OPERATOR)
        Map<String, String> exchange_certificates_on_join(String uuid, String certificate);

        @Doc("Sync the members' TLS certificates from the coordinator to every member (host.certificate_sync on each, the "
                + "coordinator first): each keeps every other member's certificate, read from that member over the pool's TLS and "
                + "checked against the fingerprint the pool database lists for it, so that any member that becomes the coordinator "
                + "can hand a joining host each member's certificate.")
        @Api(role = Access.POOL_OPERATOR, errors = {"HOST_IS_SLAVE", "CANNOT_CONTACT_HOST", "SSL_VERIFY_ERROR"})
        void certificate_sync();

        @Doc("On a member that cannot reach its coordinator for good: become the pool's coordinator from this host's own copy "
                + "of the pool database. The copy founds a new group of the pool database with this host its only voter, and the "
                + "toolstack restarts in place as its coordinator; whatever the old group committed that this copy lacks is lost, "
                + "which is the administrator's choice in calling it. The other hosts rejoin through pool.recover_slaves.")
        @Api(role = Access.POOL_OPERATOR)
        void emergency_transition_to_master();

        @Doc("Tell a member that the pool's coordinator is now at master_address: it drops its copy of the pool database, "
                + "restarts and joins the coordinator's group, catching up from it.")
        @Api(role = Access.POOL_OPERATOR)
        void emergency_reset_master(String master_address);

        @Doc("On the coordinator: call pool.emergency_reset_master, naming this host, on every other host of the pool that is "
                + "not a member of its pool database's group and can be reached; returns the hosts it reached.")
        @Api(role = Access.POOL_OPERATOR, errors = {"HOST_IS_SLAVE"})
        List<Ref<Host>> recover_slaves();

        @Doc("Whether the keys a VM's Secure Boot starts from are there: ready (PK, KEK, db and dbx), ready_no_dbx, or not_ready "
                + "(OVMF's Secure Boot images are not installed, or lack a key).")
        @Api(role = Access.POOL_OPERATOR)
        PoolGuestSecurebootReadiness get_guest_secureboot_readiness(Ref<Pool> self);

        @Doc("The pool's licence: its edition (xcp-ng, free software with nothing restricted) and its expiry (never).")
        @Api(role = Access.READ_ONLY, async = true)
        Map<String, String> get_license_state(Ref<Pool> self);
    }
}

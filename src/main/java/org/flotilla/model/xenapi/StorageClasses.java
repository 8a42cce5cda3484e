package org.flotilla.model.xenapi;

import static org.flotilla.model.Type.*;

import java.util.List;
import java.util.Map;
import static org.flotilla.model.MessageBuilder.msg;

import org.flotilla.model.ClassDef;
import org.flotilla.model.MessageBuilder;
import org.flotilla.model.Access;

final class StorageClasses {
    private StorageClasses() {}

    static List<ClassDef.Builder> all() {
        return List.of(sm(), sr(), srStat(), probeResult(), lvhd(), vdi(), vbd(), vbdMetrics(), pbd(), vdiNbdServerInfo(), pvsSite(), pvsServer(), pvsProxy(), pvsCacheStorage());
    }

    static ClassDef.Builder sm() {
        return ClassDef.of("SM", "")
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("type", STRING)
                .dyn("vendor", STRING)
                .dyn("copyright", STRING)
                .dyn("version", STRING)
                .dyn("required_api_version", STRING)
                .dyn("configuration", mapOf(STRING, STRING))
                .dyn("capabilities", setOf(STRING))
                .dyn("features", mapOf(STRING, INT))
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("driver_filename", STRING)
                .dyn("required_cluster_stack", setOf(STRING));
    }

    static ClassDef.Builder sr() {
        return ClassDef.of("SR", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.STORAGE_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.STORAGE_OPERATIONS))
                .relation("VDIs", "VDI", "SR")
                .relation("PBDs", "PBD", "SR")
                .dyn("virtual_allocation", INT)
                .dyn("physical_utilisation", INT)
                .ro("physical_size", INT)
                .ro("type", STRING)
                .ro("content_type", STRING)
                .dyn("shared", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .rw("tags", setOf(STRING))
                .rw("sm_config", mapOf(STRING, STRING))
                .dyn("blobs", mapOf(STRING, ref("blob")))
                .dyn("local_cache_enabled", BOOL)
                .dyn("introduced_by", ref("DR_task"))
                .dyn("clustered", BOOL)
                .dyn("is_tools_sr", BOOL)
                // XAPI's SR messages, parameters in XAPI's order (datamodel.ml, module SR)
                .message(msg("create").async().param("host", ref("host")).param("device_config", STRING_MAP)
                        .param("physical_size", INT).param("name_label", STRING).param("name_description", STRING)
                        .param("type", STRING).param("content_type", STRING).param("shared", BOOL)
                        .param("sm_config", STRING_MAP, Map.of()).returns(ref("SR"))
                        .errors("SR_UNKNOWN_DRIVER").doc("Make a new SR on the host, with its PBD, and attach it"))
                .message(msg("introduce").async().param("uuid", STRING).param("name_label", STRING)
                        .param("name_description", STRING).param("type", STRING).param("content_type", STRING)
                        .param("shared", BOOL).param("sm_config", STRING_MAP, Map.of()).returns(ref("SR"))
                        .errors("SR_UUID_EXISTS").doc("Record an SR that already exists on storage, without touching its contents"))
                .message(msg("destroy").async().param("sr", ref("SR")).errors("SR_HAS_PBD", "SR_HAS_NO_PBDS", "SR_NOT_EMPTY", "SR_OPERATION_NOT_SUPPORTED")
                        .doc("Destroy specified SR, removing SR-record from database and remove SR from disk"))
                .message(msg("forget").async().param("sr", ref("SR")).errors("SR_HAS_PBD")
                        .doc("Forget the SR's records; its disks stay where they are"))
                .message(msg("update").async().param("sr", ref("SR")).doc("Read the SR's sizes again from its storage"))
                .message(msg("scan").async().role(Access.VM_POWER_ADMIN).param("sr", ref("SR")).doc("Adopt disk images found in the SR and forget records whose image is gone"))
                .message(msg("get_supported_types").role(Access.READ_ONLY).returns(STRING_SET).doc("The SR driver types this host offers"))
                .message(msg("set_shared").async().param("sr", ref("SR")).param("value", BOOL).doc("Mark the SR shared between hosts, or not"))
                .message(msg("set_name_label").async().param("sr", ref("SR")).param("value", STRING).doc("Rename the SR"))
                .message(msg("set_name_description").async().param("sr", ref("SR")).param("value", STRING).doc("Describe the SR"))
                .message(smConfigSetter("SR")).message(smConfigAdder("SR")).message(smConfigRemover("SR"));
    }

    // The field's own setters, declared so that the SM's keys in sm_config stay the SM's (storage/SmOwnedKeys)
    private static MessageBuilder smConfigSetter(String cls) {
        return msg("set_sm_config").role(Access.VM_ADMIN).param("self", ref(cls)).param("value", STRING_MAP)
                .doc("Set the sm_config field of the given " + cls + "; the keys the SM owns keep their values.");
    }

    private static MessageBuilder smConfigAdder(String cls) {
        return msg("add_to_sm_config").role(Access.VM_ADMIN).param("self", ref(cls)).param("key", STRING).param("value", STRING)
                .errors("MAP_DUPLICATE_KEY")
                .doc("Add the given key-value pair to the sm_config field of the given " + cls + "; a key the SM owns is left as it is.");
    }

    private static MessageBuilder smConfigRemover(String cls) {
        return msg("remove_from_sm_config").role(Access.VM_ADMIN).param("self", ref(cls)).param("key", STRING)
                .doc("Remove the given key and its value from the sm_config field of the given " + cls + "; a key the SM owns stays.");
    }

    static ClassDef.Builder srStat() {
        return ClassDef.of("sr_stat", "")
                .notStored()
                .dyn("name_label", STRING)
                .dyn("name_description", STRING)
                .dyn("free_space", INT)
                .dyn("total_space", INT)
                .dyn("clustered", BOOL)
                .dyn("health", Enums.SR_HEALTH);
    }

    static ClassDef.Builder probeResult() {
        return ClassDef.of("probe_result", "")
                .notStored()
                .dyn("configuration", mapOf(STRING, STRING))
                .dyn("complete", BOOL)
                .dyn("sr", record("sr_stat"))
                .dyn("extra_info", mapOf(STRING, STRING));
    }

    static ClassDef.Builder lvhd() {
        return ClassDef.of("LVHD", "")
                .unlisted();
    }

    static ClassDef.Builder vdi() {
        return ClassDef.of("VDI", "")
                .ro("name_label", STRING)
                .ro("name_description", STRING)
                .dyn("allowed_operations", setOf(Enums.VDI_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VDI_OPERATIONS))
                .ro("SR", ref("SR"))
                .relation("VBDs", "VBD", "VDI")
                .relation("crash_dumps", "crashdump", "VDI")
                .ro("virtual_size", INT)
                .dyn("physical_utilisation", INT)
                .ro("type", Enums.VDI_TYPE)
                .ro("sharable", BOOL)
                .ro("read_only", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .dyn("storage_lock", BOOL)
                .dyn("location", STRING)
                .dyn("managed", BOOL)
                .dyn("missing", BOOL)
                .dyn("parent", ref("VDI"))
                .rw("xenstore_data", mapOf(STRING, STRING))
                .rw("sm_config", mapOf(STRING, STRING))
                .dyn("is_a_snapshot", BOOL)
                .dyn("snapshot_of", ref("VDI"))
                .relation("snapshots", "VDI", "snapshot_of")
                .dyn("snapshot_time", DATETIME)
                .rw("tags", setOf(STRING))
                .dyn("allow_caching", BOOL)
                .dyn("on_boot", Enums.ON_BOOT, "persist")
                .dyn("metadata_of_pool", ref("pool"))
                .dyn("metadata_latest", BOOL)
                .dyn("is_tools_iso", BOOL)
                .dyn("cbt_enabled", BOOL)
                // XAPI's VDI messages (datamodel.ml, module VDI); create/destroy are XAPI's generated constructor and destructor
                .message(msg("create").async().role(Access.VM_ADMIN).param("args", record("VDI")).returns(ref("VDI"))
                        .errors("SR_FULL", "SR_OPERATION_NOT_SUPPORTED", "SR_HAS_NO_PBDS", "SR_BACKEND_FAILURE").doc("Create a new VDI instance, and return its handle."))
                .message(msg("destroy").async().role(Access.VM_ADMIN).param("self", ref("VDI"))
                        .errors("VDI_IN_USE", "VDI_NOT_MANAGED", "SR_OPERATION_NOT_SUPPORTED").doc("Delete the disk and its record; refused while attached"))
                .message(msg("snapshot").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).param("driver_params", STRING_MAP, Map.of())
                        .returns(ref("VDI")).doc("Take a read-only snapshot of the VDI, returning a reference to the snapshot."))
                .message(msg("clone").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).param("driver_params", STRING_MAP, Map.of())
                        .returns(ref("VDI")).doc("Take an exact copy of the VDI and return a reference to the new disk."))
                .message(msg("resize").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).param("size", INT)
                        .errors("VDI_TOO_SMALL", "SR_FULL", "VDI_IN_USE").doc("Resize the VDI."))
                .message(msg("resize_online").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).param("size", INT)
                        .doc("Grow the disk, also while a running VM uses it"))
                .message(msg("introduce").async().role(Access.VM_ADMIN).param("uuid", STRING).param("name_label", STRING)
                        .param("name_description", STRING).param("SR", ref("SR")).param("type", Enums.VDI_TYPE)
                        .param("sharable", BOOL).param("read_only", BOOL).param("other_config", STRING_MAP)
                        .param("location", STRING).param("xenstore_data", STRING_MAP, Map.of()).param("sm_config", STRING_MAP, Map.of())
                        .param("managed", BOOL, true).param("virtual_size", INT, 0L).param("physical_utilisation", INT, 0L)
                        .param("metadata_of_pool", ref("pool"), ClassDef.NULL_REF).param("is_a_snapshot", BOOL, false)
                        .param("snapshot_time", DATETIME, java.time.Instant.EPOCH).param("snapshot_of", ref("VDI"), ClassDef.NULL_REF)
                        .returns(ref("VDI")).errors("SR_OPERATION_NOT_SUPPORTED", "LOCATION_NOT_UNIQUE").doc("Record a disk image that already exists in the SR"))
                .message(msg("forget").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).doc("Forget the disk's record; the image stays"))
                .message(msg("update").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).errors("SR_OPERATION_NOT_SUPPORTED")
                        .doc("Read the disk's sizes again from its image"))
                .message(msg("copy").async().role(Access.VM_ADMIN).param("vdi", ref("VDI")).param("sr", ref("SR"), ClassDef.NULL_REF)
                        .param("base_vdi", ref("VDI"), ClassDef.NULL_REF).param("into_vdi", ref("VDI"), ClassDef.NULL_REF)
                        .returns(ref("VDI")).errors("VDI_READONLY", "VDI_TOO_SMALL", "VDI_NOT_SPARSE")
                        .doc("Copy the disk into another SR, or into an existing disk"))
                .message(msg("set_name_label").async().role(Access.VM_ADMIN).param("self", ref("VDI")).param("value", STRING).doc("Set the name label of the VDI."))
                .message(msg("set_name_description").async().role(Access.VM_ADMIN).param("self", ref("VDI")).param("value", STRING).doc("Set the name description of the VDI."))
                .message(smConfigSetter("VDI")).message(smConfigAdder("VDI")).message(smConfigRemover("VDI"));
    }

    static ClassDef.Builder vbd() {
        return ClassDef.of("VBD", "")
                .dyn("metrics", ref("VBD_metrics")) // removed from XAPI 8 but read by clients of 7.x
                .dyn("allowed_operations", setOf(Enums.VBD_OPERATIONS))
                .dyn("current_operations", mapOf(STRING, Enums.VBD_OPERATIONS))
                .ro("VM", ref("VM"))
                .ro("VDI", ref("VDI"))
                .ro("device", STRING)
                .rw("userdevice", STRING)
                .rw("bootable", BOOL)
                .ro("mode", Enums.VBD_MODE)
                .rw("type", Enums.VBD_TYPE)
                .rw("unpluggable", BOOL, true)
                .dyn("storage_lock", BOOL)
                .ro("empty", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                .ro("currently_attached", BOOL)
                .dyn("status_code", INT)
                .dyn("status_detail", STRING)
                .dyn("runtime_properties", mapOf(STRING, STRING))
                .rw("qos_algorithm_type", STRING)
                .rw("qos_algorithm_params", mapOf(STRING, STRING))
                .dyn("qos_supported_algorithms", setOf(STRING))
                // XAPI's generated constructor/destructor with xapi_vbd.ml's checks, and set_mode
                .message(msg("create").async().role(Access.VM_ADMIN).param("args", record("VBD")).returns(ref("VBD"))
                        .errors("DEVICE_ALREADY_EXISTS", "INVALID_DEVICE", "VBD_CDS_MUST_BE_READONLY", "VBD_NOT_REMOVABLE_MEDIA",
                                "VDI_READONLY", "VDI_INCOMPATIBLE_TYPE", "OTHER_OPERATION_IN_PROGRESS")
                        .doc("Create a new VBD instance, and return its handle."))
                .message(msg("destroy").async().role(Access.VM_ADMIN).param("self", ref("VBD")).errors("OPERATION_NOT_ALLOWED")
                        .doc("Remove the VBD; refused while plugged"))
                .message(msg("set_mode").role(Access.VM_ADMIN).param("self", ref("VBD")).param("value", Enums.VBD_MODE)
                        .errors("VM_BAD_POWER_STATE", "VBD_CDS_MUST_BE_READONLY", "VDI_READONLY")
                        .doc("Make the VBD read-only or read-write; the VM must be halted"))
                // hot-plug and removable media (datamodel.ml), carried out by the host's VM runtime
                .message(msg("plug").async().param("self", ref("VBD"))
                        .errors("VM_BAD_POWER_STATE", "DEVICE_ALREADY_ATTACHED", "OTHER_OPERATION_IN_PROGRESS")
                        .doc("Attach the disk to the running VM now"))
                .message(msg("unplug").async().param("self", ref("VBD"))
                        .errors("DEVICE_DETACH_REJECTED", "DEVICE_ALREADY_DETACHED", "VBD_NOT_UNPLUGGABLE", "VM_BAD_POWER_STATE")
                        .doc("Detach the disk from the running VM now"))
                .message(msg("unplug_force").async().param("self", ref("VBD"))
                        .doc("Detach the disk from the running VM without waiting for the guest"))
                .message(msg("insert").async().param("vbd", ref("VBD")).param("vdi", ref("VDI"))
                        .errors("VBD_NOT_REMOVABLE_MEDIA", "VBD_NOT_EMPTY")
                        .doc("Put a disk image in the empty CD drive"))
                .message(msg("eject").async().param("vbd", ref("VBD"))
                        .errors("VBD_NOT_REMOVABLE_MEDIA", "VBD_IS_EMPTY")
                        .doc("Take the image out of the CD drive"));
    }

    static ClassDef.Builder vbdMetrics() {
        return ClassDef.of("VBD_metrics", "");
    }

    static ClassDef.Builder pbd() {
        return ClassDef.of("PBD", "")
                .ro("host", ref("host"))
                .ro("SR", ref("SR"))
                .ro("device_config", mapOf(STRING, STRING))
                .dyn("currently_attached", BOOL)
                .rw("other_config", mapOf(STRING, STRING))
                // XAPI's generated constructor/destructor, with XAPI's checks (xapi_pbd.ml), and its messages
                .message(msg("create").async().param("args", record("PBD")).returns(ref("PBD")).errors("PBD_EXISTS")
                        .doc("Create a new PBD instance, and return its handle."))
                .message(msg("destroy").async().param("self", ref("PBD")).errors("OPERATION_NOT_ALLOWED")
                        .doc("Remove the PBD; refused while plugged"))
                .message(msg("plug").async().param("self", ref("PBD")).errors("SR_UNKNOWN_DRIVER")
                        .doc("Attach the SR on the PBD's host"))
                .message(msg("unplug").async().param("self", ref("PBD")).errors("VDI_IN_USE")
                        .doc("Detach the SR from the PBD's host; refused while its disks are in use"))
                .message(msg("set_device_config").async().param("self", ref("PBD")).param("value", STRING_MAP)
                        .doc("Change how the host reaches the SR"));
    }

    static ClassDef.Builder vdiNbdServerInfo() {
        return ClassDef.of("vdi_nbd_server_info", "")
                .notStored()
                .dyn("exportname", STRING)
                .dyn("address", STRING)
                .dyn("port", INT)
                .dyn("cert", STRING)
                .dyn("subject", STRING);
    }

    static ClassDef.Builder pvsSite() {
        return ClassDef.of("PVS_site", "")
                .rw("name_label", STRING)
                .rw("name_description", STRING)
                .ro("PVS_uuid", STRING)
                .relation("cache_storage", "PVS_cache_storage", "site")
                .relation("servers", "PVS_server", "site")
                .relation("proxies", "PVS_proxy", "site");
    }

    static ClassDef.Builder pvsServer() {
        return ClassDef.of("PVS_server", "")
                .ro("addresses", setOf(STRING))
                .ro("first_port", INT)
                .ro("last_port", INT)
                .ro("site", ref("PVS_site"));
    }

    static ClassDef.Builder pvsProxy() {
        return ClassDef.of("PVS_proxy", "")
                .ro("site", ref("PVS_site"))
                .ro("VIF", ref("VIF"))
                .dyn("currently_attached", BOOL)
                .dyn("status", Enums.PVS_PROXY_STATUS, "stopped");
    }

    static ClassDef.Builder pvsCacheStorage() {
        return ClassDef.of("PVS_cache_storage", "")
                .ro("host", ref("host"))
                .ro("SR", ref("SR"))
                .ro("site", ref("PVS_site"))
                .ro("size", INT, 21474836480L)
                .dyn("VDI", ref("VDI"));
    }
}

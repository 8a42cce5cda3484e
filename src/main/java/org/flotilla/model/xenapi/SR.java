package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

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
import org.flotilla.model.xenapi.enums.StorageOperations;

/** A storage repository: where VDIs live. A file SR is a directory of qcow2 images, an iso SR a directory of ISOs. */
public interface SR {
    ApiClass<SR> CLASS = ApiClass.declare(SR.class, "SR")
            .doc("A storage repository: where VDIs live. A file SR is a directory of qcow2 images, an iso SR a directory of ISOs.");

    Field<SR, String> uuid = CLASS.dyn("uuid", STRING).doc("The SR's unique identifier, fixed for its whole life.");
    Field<SR, String> name_label = CLASS.ro("name_label", STRING)
            .doc("The SR's name as people know it, e.g. \"Local storage\"; it need not be unique.");
    Field<SR, String> name_description = CLASS.ro("name_description", STRING).doc("A longer free-text description of the SR.");
    Field<SR, List<StorageOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(StorageOperations.class)))
            .doc("The operations the SR allows now; none until one of its PBDs is plugged.");
    Field<SR, Map<String, StorageOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(StorageOperations.class)))
            .doc("The operations under way on the SR; Flotilla does not list them here.");
    Relation<SR, VDI> VDIs = CLASS.relation("VDIs", () -> VDI.SR).doc("The disk images in the SR.");
    Relation<SR, PBD> PBDs = CLASS.relation("PBDs", () -> PBD.SR)
            .doc("How hosts reach the SR: one PBD per host, plugged when the host has it attached.");
    Field<SR, Long> virtual_allocation = CLASS.dyn("virtual_allocation", INT)
            .doc("The sum of the virtual sizes of the SR's disks, in bytes.");
    Field<SR, Long> physical_utilisation = CLASS.dyn("physical_utilisation", INT)
            .doc("The bytes in use on the SR's file system; -1 until first read.");
    Field<SR, Long> physical_size = CLASS.ro("physical_size", INT).doc("The size of the SR's file system in bytes; -1 until first read.");
    Field<SR, String> type = CLASS.ro("type", STRING).doc("The driver that serves the SR: file, iso or nfs.");
    Field<SR, String> content_type = CLASS.ro("content_type", STRING).doc("What the SR holds: user for disks, iso for ISO images.");
    Field<SR, Boolean> shared = CLASS.dyn("shared", BOOL).doc("Whether every host of the pool can reach the SR; Flotilla's SRs are local.");
    Field<SR, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the SR.");
    Field<SR, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give SRs, to group and find them.");
    Field<SR, Map<String, String>> sm_config = CLASS.rw("sm_config", STRING_MAP)
            .doc("Settings for the SR's driver; made-directory, which the driver writes, is the directory SR.create made.");
    Field<SR, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)))
            .doc("Binary objects stored with the SR, by name.");
    Field<SR, Boolean> local_cache_enabled = CLASS.dyn("local_cache_enabled", BOOL)
            .doc("Whether the SR caches disks of shared SRs locally; Flotilla has no such cache.");
    Field<SR, Ref<DR_task>> introduced_by = CLASS.dyn("introduced_by", ref(DR_task.class))
            .doc("The disaster-recovery task that introduced the SR, if any; Flotilla has none.");
    Field<SR, Boolean> clustered = CLASS.dyn("clustered", BOOL).doc("Whether the SR needs a cluster stack; never with Flotilla.");
    Field<SR, Boolean> is_tools_sr = CLASS.dyn("is_tools_sr", BOOL).doc("Whether this is the SR of guest tools ISOs; Flotilla makes none.");

    /** The messages of SR that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a new SR on the host, with its PBD, and attach it; a file SR makes its directory if it is not there.")
        @Api(async = true, errors = {"SR_UNKNOWN_DRIVER"})
        Ref<SR> create(Ref<Host> host,
                Map<String, String> device_config,
                long physical_size,
                String name_label,
                String name_description,
                String type,
                String content_type,
                boolean shared,
                @Default("{}") Map<String, String> sm_config);

        @Doc("Record an SR that already exists, without touching its contents; its PBDs are made afterwards.")
        @Api(async = true, errors = {"SR_UUID_EXISTS"})
        Ref<SR> introduce(String uuid,
                String name_label,
                String name_description,
                String type,
                String content_type,
                boolean shared,
                @Default("{}") Map<String, String> sm_config);

        @Doc("Remove an empty SR whose PBDs are unplugged: its records, the images it made, and the directory it made.")
        @Api(async = true, errors = {"SR_HAS_PBD", "SR_HAS_NO_PBDS", "SR_NOT_EMPTY", "SR_OPERATION_NOT_SUPPORTED"})
        void destroy(Ref<SR> sr);

        @Doc("Forget the SR and its disks' records, once its PBDs are unplugged; the files stay where they are.")
        @Api(async = true, errors = {"SR_HAS_PBD"})
        void forget(Ref<SR> sr);

        @Doc("Read the SR's sizes again from its file system.")
        @Api(async = true)
        void update(Ref<SR> sr);

        @Doc("Adopt new images found in the SR and forget disks whose image is gone (marked missing while in use).")
        @Api(role = Access.VM_POWER_ADMIN, async = true)
        void scan(Ref<SR> sr);

        @Doc("Look, with a device_config, for SRs of a type on the storage it names; a partial device_config gets what would complete it. "
                + "An nfs probe without serverpath fails with SR_BACKEND_FAILURE_101 listing the server's exports (XML) as its third parameter, "
                + "one with serverpath answers the SRs there as <SRlist>, as XAPI's NFS SR does.")
        @Api(role = Access.POOL_OPERATOR, errors = {"SR_UNKNOWN_DRIVER", "SR_OPERATION_NOT_SUPPORTED"})
        String probe(Ref<Host> host,
                Map<String, String> device_config,
                String type,
                @Default("{}") Map<String, String> sm_config);

        @Doc("The probe as records: only SMAPIv3 drivers answer it in XAPI, so every type here fails with SR_OPERATION_NOT_SUPPORTED.")
        @Api(role = Access.POOL_OPERATOR, errors = {"SR_UNKNOWN_DRIVER", "SR_OPERATION_NOT_SUPPORTED"})
        List<Rec<Probe_result>> probe_ext(Ref<Host> host,
                Map<String, String> device_config,
                String type,
                @Default("{}") Map<String, String> sm_config);

        @Doc("The SR types this host can make: file, iso and nfs.")
        @Api(role = Access.READ_ONLY)
        List<String> get_supported_types();

        @Doc("Mark the SR shared between the pool's hosts, or not.")
        @Api(async = true)
        void set_shared(Ref<SR> sr, boolean value);

        @Doc("Rename the SR.")
        @Api(async = true)
        void set_name_label(Ref<SR> sr, String value);

        @Doc("Change the SR's description.")
        @Api(async = true)
        void set_name_description(Ref<SR> sr, String value);

        @Doc("Replace the SR's sm_config; the keys the driver owns keep their values.")
        @Api(role = Access.VM_ADMIN)
        void set_sm_config(Ref<SR> self, Map<String, String> value);

        @Doc("Add a key to the SR's sm_config, unless the driver owns it.")
        @Api(role = Access.VM_ADMIN, errors = {"MAP_DUPLICATE_KEY"})
        void add_to_sm_config(Ref<SR> self, String key, String value);

        @Doc("Remove a key from the SR's sm_config, unless the driver owns it.")
        @Api(role = Access.VM_ADMIN)
        void remove_from_sm_config(Ref<SR> self, String key);
    }
}

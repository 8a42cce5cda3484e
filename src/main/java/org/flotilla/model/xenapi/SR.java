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
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.StorageOperations;

/** The XenAPI's class SR. */
public interface SR {
    ApiClass<SR> CLASS = ApiClass.declare(SR.class, "SR");

    Field<SR, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<SR, String> name_label = CLASS.ro("name_label", STRING);
    Field<SR, String> name_description = CLASS.ro("name_description", STRING);
    Field<SR, List<StorageOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(StorageOperations.class)));
    Field<SR, Map<String, StorageOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(StorageOperations.class)));
    Relation<SR, VDI> VDIs = CLASS.relation("VDIs", () -> VDI.SR);
    Relation<SR, PBD> PBDs = CLASS.relation("PBDs", () -> PBD.SR);
    Field<SR, Long> virtual_allocation = CLASS.dyn("virtual_allocation", INT);
    Field<SR, Long> physical_utilisation = CLASS.dyn("physical_utilisation", INT);
    Field<SR, Long> physical_size = CLASS.ro("physical_size", INT);
    Field<SR, String> type = CLASS.ro("type", STRING);
    Field<SR, String> content_type = CLASS.ro("content_type", STRING);
    Field<SR, Boolean> shared = CLASS.dyn("shared", BOOL);
    Field<SR, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<SR, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<SR, Map<String, String>> sm_config = CLASS.rw("sm_config", STRING_MAP);
    Field<SR, Map<String, Ref<Blob>>> blobs = CLASS.dyn("blobs", mapOf(STRING, ref(Blob.class)));
    Field<SR, Boolean> local_cache_enabled = CLASS.dyn("local_cache_enabled", BOOL);
    Field<SR, Ref<DR_task>> introduced_by = CLASS.dyn("introduced_by", ref(DR_task.class));
    Field<SR, Boolean> clustered = CLASS.dyn("clustered", BOOL);
    Field<SR, Boolean> is_tools_sr = CLASS.dyn("is_tools_sr", BOOL);

    /** The messages of SR that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a new SR on the host, with its PBD, and attach it")
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

        @Doc("Record an SR that already exists on storage, without touching its contents")
        @Api(async = true, errors = {"SR_UUID_EXISTS"})
        Ref<SR> introduce(String uuid,
                String name_label,
                String name_description,
                String type,
                String content_type,
                boolean shared,
                @Default("{}") Map<String, String> sm_config);

        @Doc("Destroy specified SR, removing SR-record from database and remove SR from disk")
        @Api(async = true, errors = {"SR_HAS_PBD", "SR_HAS_NO_PBDS", "SR_NOT_EMPTY", "SR_OPERATION_NOT_SUPPORTED"})
        void destroy(Ref<SR> sr);

        @Doc("Forget the SR's records; its disks stay where they are")
        @Api(async = true, errors = {"SR_HAS_PBD"})
        void forget(Ref<SR> sr);

        @Doc("Read the SR's sizes again from its storage")
        @Api(async = true)
        void update(Ref<SR> sr);

        @Doc("Adopt disk images found in the SR and forget records whose image is gone")
        @Api(role = Access.VM_POWER_ADMIN, async = true)
        void scan(Ref<SR> sr);

        @Doc("The SR driver types this host offers")
        @Api(role = Access.READ_ONLY)
        List<String> get_supported_types();

        @Doc("Mark the SR shared between hosts, or not")
        @Api(async = true)
        void set_shared(Ref<SR> sr, boolean value);

        @Doc("Rename the SR")
        @Api(async = true)
        void set_name_label(Ref<SR> sr, String value);

        @Doc("Describe the SR")
        @Api(async = true)
        void set_name_description(Ref<SR> sr, String value);

        @Doc("Set the sm_config field of the given SR; the keys the SM owns keep their values.")
        @Api(role = Access.VM_ADMIN)
        void set_sm_config(Ref<SR> self, Map<String, String> value);

        @Doc("Add the given key-value pair to the sm_config field of the given SR; a key the SM owns is left as it is.")
        @Api(role = Access.VM_ADMIN, errors = {"MAP_DUPLICATE_KEY"})
        void add_to_sm_config(Ref<SR> self, String key, String value);

        @Doc("Remove the given key and its value from the sm_config field of the given SR; a key the SM owns stays.")
        @Api(role = Access.VM_ADMIN)
        void remove_from_sm_config(Ref<SR> self, String key);
    }
}

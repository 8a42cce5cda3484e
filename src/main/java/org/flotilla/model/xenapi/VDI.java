package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
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
import org.flotilla.model.xenapi.enums.OnBoot;
import org.flotilla.model.xenapi.enums.VdiOperations;
import org.flotilla.model.xenapi.enums.VdiType;

/** The XenAPI's class VDI. */
public interface VDI {
    ApiClass<VDI> CLASS = ApiClass.declare(VDI.class, "VDI");

    Field<VDI, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VDI, String> name_label = CLASS.ro("name_label", STRING);
    Field<VDI, String> name_description = CLASS.ro("name_description", STRING);
    Field<VDI, List<VdiOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VdiOperations.class)));
    Field<VDI, Map<String, VdiOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VdiOperations.class)));
    Field<VDI, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class));
    Relation<VDI, VBD> VBDs = CLASS.relation("VBDs", () -> VBD.VDI);
    Relation<VDI, Crashdump> crash_dumps = CLASS.relation("crash_dumps", () -> Crashdump.VDI);
    Field<VDI, Long> virtual_size = CLASS.ro("virtual_size", INT);
    Field<VDI, Long> physical_utilisation = CLASS.dyn("physical_utilisation", INT);
    Field<VDI, VdiType> type = CLASS.ro("type", enumOf(VdiType.class));
    Field<VDI, Boolean> sharable = CLASS.ro("sharable", BOOL);
    Field<VDI, Boolean> read_only = CLASS.ro("read_only", BOOL);
    Field<VDI, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VDI, Boolean> storage_lock = CLASS.dyn("storage_lock", BOOL);
    Field<VDI, String> location = CLASS.dyn("location", STRING);
    Field<VDI, Boolean> managed = CLASS.dyn("managed", BOOL);
    Field<VDI, Boolean> missing = CLASS.dyn("missing", BOOL);
    Field<VDI, Ref<VDI>> parent = CLASS.dyn("parent", ref(VDI.class));
    Field<VDI, Map<String, String>> xenstore_data = CLASS.rw("xenstore_data", STRING_MAP);
    Field<VDI, Map<String, String>> sm_config = CLASS.rw("sm_config", STRING_MAP);
    Field<VDI, Boolean> is_a_snapshot = CLASS.dyn("is_a_snapshot", BOOL);
    Field<VDI, Ref<VDI>> snapshot_of = CLASS.dyn("snapshot_of", ref(VDI.class));
    Relation<VDI, VDI> snapshots = CLASS.relation("snapshots", () -> VDI.snapshot_of);
    Field<VDI, Instant> snapshot_time = CLASS.dyn("snapshot_time", DATETIME);
    Field<VDI, List<String>> tags = CLASS.rw("tags", STRING_SET);
    Field<VDI, Boolean> allow_caching = CLASS.dyn("allow_caching", BOOL);
    Field<VDI, OnBoot> on_boot = CLASS.dyn("on_boot", enumOf(OnBoot.class), OnBoot.persist);
    Field<VDI, Ref<Pool>> metadata_of_pool = CLASS.dyn("metadata_of_pool", ref(Pool.class));
    Field<VDI, Boolean> metadata_latest = CLASS.dyn("metadata_latest", BOOL);
    Field<VDI, Boolean> is_tools_iso = CLASS.dyn("is_tools_iso", BOOL);
    Field<VDI, Boolean> cbt_enabled = CLASS.dyn("cbt_enabled", BOOL);

    /** The messages of VDI that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Create a new VDI instance, and return its handle.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_FULL", "SR_OPERATION_NOT_SUPPORTED", "SR_HAS_NO_PBDS", "SR_BACKEND_FAILURE"})
        Ref<VDI> create(Rec<VDI> args);

        @Doc("Delete the disk and its record; refused while attached")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_IN_USE", "VDI_NOT_MANAGED", "SR_OPERATION_NOT_SUPPORTED"})
        void destroy(Ref<VDI> self);

        @Doc("Take a read-only snapshot of the VDI, returning a reference to the snapshot.")
        @Api(role = Access.VM_ADMIN, async = true)
        Ref<VDI> snapshot(Ref<VDI> vdi, @Default("{}") Map<String, String> driver_params);

        @Doc("Take an exact copy of the VDI and return a reference to the new disk.")
        @Api(role = Access.VM_ADMIN, async = true)
        Ref<VDI> clone(Ref<VDI> vdi, @Default("{}") Map<String, String> driver_params);

        @Doc("Resize the VDI.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_TOO_SMALL", "SR_FULL", "VDI_IN_USE"})
        void resize(Ref<VDI> vdi, long size);

        @Doc("Grow the disk, also while a running VM uses it")
        @Api(role = Access.VM_ADMIN, async = true)
        void resize_online(Ref<VDI> vdi, long size);

        @Doc("Record a disk image that already exists in the SR")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED", "LOCATION_NOT_UNIQUE"})
        Ref<VDI> introduce(String uuid,
                String name_label,
                String name_description,
                Ref<SR> SR,
                VdiType type,
                boolean sharable,
                boolean read_only,
                Map<String, String> other_config,
                String location,
                @Default("{}") Map<String, String> xenstore_data,
                @Default("{}") Map<String, String> sm_config,
                @Default("true") boolean managed,
                @Default("0") long virtual_size,
                @Default("0") long physical_utilisation,
                @Default("OpaqueRef:NULL") Ref<Pool> metadata_of_pool,
                @Default("false") boolean is_a_snapshot,
                @Default("1970-01-01T00:00:00Z") Instant snapshot_time,
                @Default("OpaqueRef:NULL") Ref<VDI> snapshot_of);

        @Doc("Forget the disk's record; the image stays")
        @Api(role = Access.VM_ADMIN, async = true)
        void forget(Ref<VDI> vdi);

        @Doc("Read the disk's sizes again from its image")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED"})
        void update(Ref<VDI> vdi);

        @Doc("Copy the disk into another SR, or into an existing disk")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_READONLY", "VDI_TOO_SMALL", "VDI_NOT_SPARSE"})
        Ref<VDI> copy(Ref<VDI> vdi,
                @Default("OpaqueRef:NULL") Ref<SR> sr,
                @Default("OpaqueRef:NULL") Ref<VDI> base_vdi,
                @Default("OpaqueRef:NULL") Ref<VDI> into_vdi);

        @Doc("Set the name label of the VDI.")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_name_label(Ref<VDI> self, String value);

        @Doc("Set the name description of the VDI.")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_name_description(Ref<VDI> self, String value);

        @Doc("Set the sm_config field of the given VDI; the keys the SM owns keep their values.")
        @Api(role = Access.VM_ADMIN)
        void set_sm_config(Ref<VDI> self, Map<String, String> value);

        @Doc("Add the given key-value pair to the sm_config field of the given VDI; a key the SM owns is left as it is.")
        @Api(role = Access.VM_ADMIN, errors = {"MAP_DUPLICATE_KEY"})
        void add_to_sm_config(Ref<VDI> self, String key, String value);

        @Doc("Remove the given key and its value from the sm_config field of the given VDI; a key the SM owns stays.")
        @Api(role = Access.VM_ADMIN)
        void remove_from_sm_config(Ref<VDI> self, String key);
    }
}

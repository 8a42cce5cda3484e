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

/** A virtual disk image: a qcow2 image (or chain of them) in a file SR, or an ISO in an iso SR. */
public interface VDI {
    ApiClass<VDI> CLASS = ApiClass.declare(VDI.class, "VDI")
            .doc("A virtual disk image: a qcow2 image (or chain of them) in a file SR, or an ISO in an iso SR.");

    Field<VDI, String> uuid = CLASS.dyn("uuid", STRING).doc("The VDI's unique identifier, fixed for its whole life.");
    Field<VDI, String> name_label = CLASS.ro("name_label", STRING)
            .doc("The disk's name as people know it; \"base copy\" for a hidden image other disks are built on.");
    Field<VDI, String> name_description = CLASS.ro("name_description", STRING).doc("A longer free-text description of the VDI.");
    Field<VDI, List<VdiOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VdiOperations.class)))
            .doc("The operations that may be started on the disk now; none for a base copy.");
    Field<VDI, Map<String, VdiOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VdiOperations.class)))
            .doc("The operations under way on the disk; Flotilla does not list them here.");
    Field<VDI, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class)).doc("The SR the disk is in.");
    Relation<VDI, VBD> VBDs = CLASS.relation("VBDs", () -> VBD.VDI).doc("The drives through which VMs use the disk.");
    Relation<VDI, Crashdump> crash_dumps = CLASS.relation("crash_dumps", () -> Crashdump.VDI)
            .doc("Crash dumps kept in the disk; Flotilla makes none.");
    Field<VDI, Long> virtual_size = CLASS.ro("virtual_size", INT).doc("The disk's size as the guest sees it, in bytes.");
    Field<VDI, Long> physical_utilisation = CLASS.dyn("physical_utilisation", INT).doc("The bytes the disk's own image takes on the SR.");
    Field<VDI, VdiType> type = CLASS.ro("type", enumOf(VdiType.class))
            .doc("What the disk is for: user (the usual), system, suspend (a suspended VM's memory), and others.");
    Field<VDI, Boolean> sharable = CLASS.ro("sharable", BOOL).doc("Whether several running VMs may use the disk at once.");
    Field<VDI, Boolean> read_only = CLASS.ro("read_only", BOOL)
            .doc("Whether the disk can only be read: ISOs, base copies, and disks made read-only.");
    Field<VDI, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the VDI.");
    Field<VDI, Boolean> storage_lock = CLASS.dyn("storage_lock", BOOL)
            .doc("Whether the storage holds a lock on the disk; Flotilla does not use it.");
    Field<VDI, String> location = CLASS.dyn("location", STRING)
            .doc("Where the SR keeps the disk: for a file SR the uuid of its image <location>.qcow2, for an iso SR its file name.");
    Field<VDI, Boolean> managed = CLASS.dyn("managed", BOOL)
            .doc("Whether the disk is one clients see and use; false for hidden base copies, which no message may change.");
    Field<VDI, Boolean> missing = CLASS.dyn("missing", BOOL).doc("Whether an SR scan found the disk's image gone while a VM had it open.");
    Field<VDI, Ref<VDI>> parent = CLASS.dyn("parent", ref(VDI.class))
            .doc("The disk this one was made from (an old field); Flotilla leaves it NULL and keeps chains in sm_config.");
    Field<VDI, Map<String, String>> xenstore_data = CLASS.rw("xenstore_data", STRING_MAP)
            .doc("Data for the guest's xenstore tree while the disk is attached; Flotilla has no xenstore.");
    Field<VDI, Map<String, String>> sm_config = CLASS.rw("sm_config", STRING_MAP)
            .doc("Settings of the SR's driver for the disk: vhd-parent (the image it is built on) and image-format.");
    Field<VDI, Boolean> is_a_snapshot = CLASS.dyn("is_a_snapshot", BOOL).doc("Whether this disk is a snapshot of another.");
    Field<VDI, Ref<VDI>> snapshot_of = CLASS.dyn("snapshot_of", ref(VDI.class)).doc("Of a snapshot, the disk it was taken of.");
    Relation<VDI, VDI> snapshots = CLASS.relation("snapshots", () -> VDI.snapshot_of).doc("The snapshots taken of this disk.");
    Field<VDI, Instant> snapshot_time = CLASS.dyn("snapshot_time", DATETIME).doc("When the snapshot was taken.");
    Field<VDI, List<String>> tags = CLASS.rw("tags", STRING_SET).doc("Labels that users give VDIs, to group and find them.");
    Field<VDI, Boolean> allow_caching = CLASS.dyn("allow_caching", BOOL)
            .doc("Whether the disk may be cached on the host's local cache SR; Flotilla has no such cache.");
    Field<VDI, OnBoot> on_boot = CLASS.dyn("on_boot", enumOf(OnBoot.class), OnBoot.persist)
            .doc("persist keeps what the VM wrote; reset would discard it at each boot. Flotilla always persists.");
    Field<VDI, Ref<Pool>> metadata_of_pool = CLASS.dyn("metadata_of_pool", ref(Pool.class))
            .doc("The pool whose metadata the disk holds, if any; none with Flotilla.");
    Field<VDI, Boolean> metadata_latest = CLASS.dyn("metadata_latest", BOOL).doc("Whether the disk holds the latest metadata of its pool.");
    Field<VDI, Boolean> is_tools_iso = CLASS.dyn("is_tools_iso", BOOL).doc("Whether this is an ISO of guest tools; never with Flotilla.");
    Field<VDI, Boolean> cbt_enabled = CLASS.dyn("cbt_enabled", BOOL)
            .doc("Whether changed-block tracking is on for the disk; a snapshot taken meanwhile keeps the value, and with it the changed blocks since an earlier one.");

    /** The messages of VDI that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a new empty disk image in an SR from a record (type user unless given). Returns the new VDI.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_FULL", "SR_OPERATION_NOT_SUPPORTED", "SR_HAS_NO_PBDS", "SR_BACKEND_FAILURE"})
        Ref<VDI> create(Rec<VDI> args);

        @Doc("Delete the disk's image and record; refused while a VM uses it. An image others build on stays hidden.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_IN_USE", "VDI_NOT_MANAGED", "SR_OPERATION_NOT_SUPPORTED"})
        void destroy(Ref<VDI> self);

        @Doc("Take a snapshot of the disk, also while in use: a new disk on the same qcow2 chain. Returns the snapshot.")
        @Api(role = Access.VM_ADMIN, async = true)
        Ref<VDI> snapshot(Ref<VDI> vdi, @Default("{}") Map<String, String> driver_params);

        @Doc("Make a new disk with the same contents, sharing its blocks through a qcow2 chain. Returns the new disk.")
        @Api(role = Access.VM_ADMIN, async = true)
        Ref<VDI> clone(Ref<VDI> vdi, @Default("{}") Map<String, String> driver_params);

        @Doc("Grow the disk to a new size in bytes, also while a running VM uses it; it cannot shrink.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_TOO_SMALL", "SR_FULL", "VDI_IN_USE"})
        void resize(Ref<VDI> vdi, long size);

        @Doc("Grow the disk while a running VM uses it; the same as VDI.resize.")
        @Api(role = Access.VM_ADMIN, async = true)
        void resize_online(Ref<VDI> vdi, long size);

        @Doc("Record a disk image that is already in the SR, at its location. Returns the new VDI.")
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

        @Doc("Forget the disk's record; its image stays, and the next scan finds it again.")
        @Api(role = Access.VM_ADMIN, async = true)
        void forget(Ref<VDI> vdi);

        @Doc("Read the disk's sizes again from its image.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED"})
        void update(Ref<VDI> vdi);

        @Doc("Copy every block of the disk into a new disk in an SR, or into an existing disk at least as large.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VDI_READONLY", "VDI_TOO_SMALL", "VDI_NOT_SPARSE"})
        Ref<VDI> copy(Ref<VDI> vdi,
                @Default("OpaqueRef:NULL") Ref<SR> sr,
                @Default("OpaqueRef:NULL") Ref<VDI> base_vdi,
                @Default("OpaqueRef:NULL") Ref<VDI> into_vdi);

        @Doc("Move the disk, which a running VM may be using, to another SR: a new VDI there takes its place and the old one is destroyed. Returns the new VDI.")
        @Api(role = Access.VM_POWER_ADMIN, async = true, errors = {"VDI_NEEDS_VM_FOR_MIGRATE", "VM_BAD_POWER_STATE", "VM_REQUIRES_SR",
                "VDI_INCOMPATIBLE_TYPE", "VDI_CBT_ENABLED", "MIRROR_FAILED", "SR_FULL"})
        Ref<VDI> pool_migrate(Ref<VDI> vdi, Ref<SR> sr, Map<String, String> options);

        @Doc("Start tracking the disk's changed blocks: snapshots taken from now on can be compared by VDI.list_changed_blocks.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED", "VDI_INCOMPATIBLE_TYPE", "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION",
                "OPERATION_NOT_ALLOWED", "VDI_MISSING", "SR_NOT_ATTACHED", "SR_HAS_NO_PBDS"})
        void enable_cbt(Ref<VDI> self);

        @Doc("Stop tracking the disk's changed blocks; snapshots taken before keep theirs.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED", "VDI_INCOMPATIBLE_TYPE", "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION",
                "OPERATION_NOT_ALLOWED", "VDI_MISSING", "SR_NOT_ATTACHED", "SR_HAS_NO_PBDS"})
        void disable_cbt(Ref<VDI> self);

        @Doc("Delete a snapshot's data but keep its changed-block metadata: its type becomes cbt_metadata.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED", "VDI_MISSING", "SR_NOT_ATTACHED", "SR_HAS_NO_PBDS",
                "OPERATION_NOT_ALLOWED", "VDI_INCOMPATIBLE_TYPE", "VDI_NO_CBT_METADATA", "VDI_IN_USE"})
        void data_destroy(Ref<VDI> self);

        @Doc("The 64 KiB blocks in which vdi_to differs from vdi_from, as a base64-encoded bitmap, one bit a block, the first block in the highest bit of the first byte.")
        @Api(role = Access.VM_OPERATOR, async = true, errors = {"SR_OPERATION_NOT_SUPPORTED", "VDI_MISSING", "SR_NOT_ATTACHED", "SR_HAS_NO_PBDS",
                "VDI_IN_USE", "VDI_NO_CBT_METADATA"})
        String list_changed_blocks(Ref<VDI> vdi_from, Ref<VDI> vdi_to);

        @Doc("Where clients read the disk over NBD with TLS: one record per address of this host on a network whose purpose is nbd or insecure_nbd; none without such a network.")
        @Api(role = Access.VM_ADMIN, errors = {"VDI_INCOMPATIBLE_TYPE"})
        List<Rec<Vdi_nbd_server_info>> get_nbd_info(Ref<VDI> self);

        @Doc("Rename the disk.")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_name_label(Ref<VDI> self, String value);

        @Doc("Change the disk's description.")
        @Api(role = Access.VM_ADMIN, async = true)
        void set_name_description(Ref<VDI> self, String value);

        @Doc("Replace the disk's sm_config; the keys the driver owns (vhd-parent, image-format) keep their values.")
        @Api(role = Access.VM_ADMIN)
        void set_sm_config(Ref<VDI> self, Map<String, String> value);

        @Doc("Add a key to the disk's sm_config, unless the driver owns it.")
        @Api(role = Access.VM_ADMIN, errors = {"MAP_DUPLICATE_KEY"})
        void add_to_sm_config(Ref<VDI> self, String key, String value);

        @Doc("Remove a key from the disk's sm_config, unless the driver owns it.")
        @Api(role = Access.VM_ADMIN)
        void remove_from_sm_config(Ref<VDI> self, String key);
    }
}

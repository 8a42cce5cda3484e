package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdOperations;
import org.flotilla.model.xenapi.enums.VbdType;

/** A virtual block device: a disk or CD drive of a VM, through which it uses a VDI. */
public interface VBD {
    ApiClass<VBD> CLASS = ApiClass.declare(VBD.class, "VBD")
            .doc("A virtual block device: a disk or CD drive of a VM, through which it uses a VDI.");

    Field<VBD, String> uuid = CLASS.dyn("uuid", STRING).doc("The VBD's unique identifier, fixed for its whole life.");
    Field<VBD, Ref<VBD_metrics>> metrics = CLASS.dyn("metrics", ref(VBD_metrics.class))
            .doc("The VBD's metrics record (kept for clients; it holds nothing more).");
    Field<VBD, List<VbdOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VbdOperations.class)))
            .doc("The operations that may be started on the VBD now (plug, unplug, insert, eject, ...).");
    Field<VBD, Map<String, VbdOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VbdOperations.class)))
            .doc("The operations under way on the VBD, each under the reference of the task that runs it.");
    Field<VBD, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class)).doc("The VM the drive belongs to.");
    Field<VBD, Ref<VDI>> VDI = CLASS.ro("VDI", ref(VDI.class)).doc("The disk image in the drive; NULL for an empty CD drive.");
    Field<VBD, String> device = CLASS.ro("device", STRING)
            .doc("The device name the guest sees while the VBD is plugged (xvda for disk 0, xvdb for 1, ...); empty otherwise.");
    Field<VBD, String> userdevice = CLASS.rw("userdevice", STRING)
            .doc("The drive's number on the VM (0 to 254), which orders the disks; autodetect at create picks the first free one.");
    Field<VBD, Boolean> bootable = CLASS.rw("bootable", BOOL).doc("Whether the VM boots from this drive first, among drives of its kind.");
    Field<VBD, VbdMode> mode = CLASS.ro("mode", enumOf(VbdMode.class))
            .doc("RO or RW: whether the VM may write to the disk. A CD is always RO.");
    Field<VBD, VbdType> type = CLASS.rw("type", enumOf(VbdType.class))
            .doc("Disk, CD (removable, read-only) or Floppy (not supported for running VMs).");
    Field<VBD, Boolean> unpluggable = CLASS.rw("unpluggable", BOOL, true)
            .doc("Whether the disk may be unplugged from the running VM; VBD.unplug_force ignores it.");
    Field<VBD, Boolean> storage_lock = CLASS.dyn("storage_lock", BOOL)
            .doc("Whether the storage holds a lock on the disk; Flotilla does not use it.");
    Field<VBD, Boolean> empty = CLASS.ro("empty", BOOL).doc("Whether a CD drive has no disc in it.");
    Field<VBD, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the VBD.");
    Field<VBD, Boolean> currently_attached = CLASS.ro("currently_attached", BOOL)
            .doc("Whether the drive is plugged into the VM's QEMU now.");
    Field<VBD, Long> status_code = CLASS.dyn("status_code", INT).doc("Error code of the last attach; Flotilla does not set it.");
    Field<VBD, String> status_detail = CLASS.dyn("status_detail", STRING)
            .doc("Error message of the last attach; Flotilla does not set it.");
    Field<VBD, Map<String, String>> runtime_properties = CLASS.dyn("runtime_properties", STRING_MAP)
            .doc("Facts about the attached drive; Flotilla does not set any.");
    Field<VBD, String> qos_algorithm_type = CLASS.rw("qos_algorithm_type", STRING)
            .doc("The I/O quality-of-service algorithm for the drive; Flotilla does not apply one.");
    Field<VBD, Map<String, String>> qos_algorithm_params = CLASS.rw("qos_algorithm_params", STRING_MAP)
            .doc("Parameters of qos_algorithm_type.");
    Field<VBD, List<String>> qos_supported_algorithms = CLASS.dyn("qos_supported_algorithms", STRING_SET)
            .doc("The I/O quality-of-service algorithms the host offers; none with Flotilla.");

    /** The messages of VBD that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a drive for a VM from a record (type Disk, mode RW and the first free number unless given).")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"DEVICE_ALREADY_EXISTS", "INVALID_DEVICE", "VBD_CDS_MUST_BE_READONLY", "VBD_NOT_REMOVABLE_MEDIA", "VDI_READONLY", "VDI_INCOMPATIBLE_TYPE", "OTHER_OPERATION_IN_PROGRESS"})
        Ref<VBD> create(Rec<VBD> args);

        @Doc("Remove the drive's record; its VDI stays. Refused while plugged.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void destroy(Ref<VBD> self);

        @Doc("Make the drive RO or RW; the VM must be halted, and a CD stays RO.")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE", "VBD_CDS_MUST_BE_READONLY", "VDI_READONLY"})
        void set_mode(Ref<VBD> self, VbdMode value);

        @Doc("Attach the drive to the running VM now.")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "DEVICE_ALREADY_ATTACHED", "OTHER_OPERATION_IN_PROGRESS"})
        void plug(Ref<VBD> self);

        @Doc("Ask the running VM's guest to let go of the drive, and detach it.")
        @Api(async = true, errors = {"DEVICE_DETACH_REJECTED", "DEVICE_ALREADY_DETACHED", "VBD_NOT_UNPLUGGABLE", "VM_BAD_POWER_STATE"})
        void unplug(Ref<VBD> self);

        @Doc("Detach the drive from the running VM without waiting for the guest.")
        @Api(async = true)
        void unplug_force(Ref<VBD> self);

        @Doc("Put a disc (an ISO VDI) in an empty CD drive, also while the VM runs.")
        @Api(async = true, errors = {"VBD_NOT_REMOVABLE_MEDIA", "VBD_NOT_EMPTY"})
        void insert(Ref<VBD> vbd, Ref<VDI> vdi);

        @Doc("Take the disc out of a CD drive, also while the VM runs.")
        @Api(async = true, errors = {"VBD_NOT_REMOVABLE_MEDIA", "VBD_IS_EMPTY"})
        void eject(Ref<VBD> vbd);
    }
}

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

/** The XenAPI's class VBD. */
public interface VBD {
    ApiClass<VBD> CLASS = ApiClass.declare(VBD.class, "VBD");

    Field<VBD, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VBD, Ref<VBD_metrics>> metrics = CLASS.dyn("metrics", ref(VBD_metrics.class));
    Field<VBD, List<VbdOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VbdOperations.class)));
    Field<VBD, Map<String, VbdOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VbdOperations.class)));
    Field<VBD, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class));
    Field<VBD, Ref<VDI>> VDI = CLASS.ro("VDI", ref(VDI.class));
    Field<VBD, String> device = CLASS.ro("device", STRING);
    Field<VBD, String> userdevice = CLASS.rw("userdevice", STRING);
    Field<VBD, Boolean> bootable = CLASS.rw("bootable", BOOL);
    Field<VBD, VbdMode> mode = CLASS.ro("mode", enumOf(VbdMode.class));
    Field<VBD, VbdType> type = CLASS.rw("type", enumOf(VbdType.class));
    Field<VBD, Boolean> unpluggable = CLASS.rw("unpluggable", BOOL, true);
    Field<VBD, Boolean> storage_lock = CLASS.dyn("storage_lock", BOOL);
    Field<VBD, Boolean> empty = CLASS.ro("empty", BOOL);
    Field<VBD, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VBD, Boolean> currently_attached = CLASS.ro("currently_attached", BOOL);
    Field<VBD, Long> status_code = CLASS.dyn("status_code", INT);
    Field<VBD, String> status_detail = CLASS.dyn("status_detail", STRING);
    Field<VBD, Map<String, String>> runtime_properties = CLASS.dyn("runtime_properties", STRING_MAP);
    Field<VBD, String> qos_algorithm_type = CLASS.rw("qos_algorithm_type", STRING);
    Field<VBD, Map<String, String>> qos_algorithm_params = CLASS.rw("qos_algorithm_params", STRING_MAP);
    Field<VBD, List<String>> qos_supported_algorithms = CLASS.dyn("qos_supported_algorithms", STRING_SET);

    /** The messages of VBD that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Create a new VBD instance, and return its handle.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"DEVICE_ALREADY_EXISTS", "INVALID_DEVICE", "VBD_CDS_MUST_BE_READONLY", "VBD_NOT_REMOVABLE_MEDIA", "VDI_READONLY", "VDI_INCOMPATIBLE_TYPE", "OTHER_OPERATION_IN_PROGRESS"})
        Ref<VBD> create(Rec<VBD> args);

        @Doc("Remove the VBD; refused while plugged")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void destroy(Ref<VBD> self);

        @Doc("Make the VBD read-only or read-write; the VM must be halted")
        @Api(role = Access.VM_ADMIN, errors = {"VM_BAD_POWER_STATE", "VBD_CDS_MUST_BE_READONLY", "VDI_READONLY"})
        void set_mode(Ref<VBD> self, VbdMode value);

        @Doc("Attach the disk to the running VM now")
        @Api(async = true, errors = {"VM_BAD_POWER_STATE", "DEVICE_ALREADY_ATTACHED", "OTHER_OPERATION_IN_PROGRESS"})
        void plug(Ref<VBD> self);

        @Doc("Detach the disk from the running VM now")
        @Api(async = true, errors = {"DEVICE_DETACH_REJECTED", "DEVICE_ALREADY_DETACHED", "VBD_NOT_UNPLUGGABLE", "VM_BAD_POWER_STATE"})
        void unplug(Ref<VBD> self);

        @Doc("Detach the disk from the running VM without waiting for the guest")
        @Api(async = true)
        void unplug_force(Ref<VBD> self);

        @Doc("Put a disk image in the empty CD drive")
        @Api(async = true, errors = {"VBD_NOT_REMOVABLE_MEDIA", "VBD_NOT_EMPTY"})
        void insert(Ref<VBD> vbd, Ref<VDI> vdi);

        @Doc("Take the image out of the CD drive")
        @Api(async = true, errors = {"VBD_NOT_REMOVABLE_MEDIA", "VBD_IS_EMPTY"})
        void eject(Ref<VBD> vbd);
    }
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;

/** A physical block device: how one host reaches an SR, and whether it has the SR attached now. */
public interface PBD {
    ApiClass<PBD> CLASS = ApiClass.declare(PBD.class, "PBD")
            .doc("A physical block device: how one host reaches an SR, and whether it has the SR attached now.");

    Field<PBD, String> uuid = CLASS.dyn("uuid", STRING).doc("The PBD's unique identifier, fixed for its whole life.");
    Field<PBD, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host that reaches the SR.");
    Field<PBD, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class)).doc("The SR it reaches.");
    Field<PBD, Map<String, String>> device_config = CLASS.ro("device_config", STRING_MAP)
            .doc("How the host reaches the SR; for file and iso SRs, location: the SR's directory.");
    Field<PBD, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL).doc("Whether the host has the SR attached now.");
    Field<PBD, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the PBD.");

    /** The messages of PBD that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Record how a host reaches an SR (at most one PBD per host and SR), unplugged. Returns the new PBD.")
        @Api(async = true, errors = {"PBD_EXISTS"})
        Ref<PBD> create(Rec<PBD> args);

        @Doc("Remove the PBD; refused while plugged.")
        @Api(async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void destroy(Ref<PBD> self);

        @Doc("Attach the SR on the PBD's host: check its directory can be reached, read its sizes and scan it.")
        @Api(async = true, errors = {"SR_UNKNOWN_DRIVER"})
        void plug(Ref<PBD> self);

        @Doc("Detach the SR from the PBD's host; refused while a VM uses one of its disks.")
        @Api(async = true, errors = {"VDI_IN_USE"})
        void unplug(Ref<PBD> self);

        @Doc("Change how the host reaches the SR; it applies at the next plug.")
        @Api(async = true)
        void set_device_config(Ref<PBD> self, Map<String, String> value);
    }
}

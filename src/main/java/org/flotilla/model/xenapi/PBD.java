package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;

/** The XenAPI's class PBD. */
public interface PBD {
    ApiClass<PBD> CLASS = ApiClass.declare(PBD.class, "PBD");

    Field<PBD, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PBD, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<PBD, Ref<SR>> SR = CLASS.ro("SR", ref(SR.class));
    Field<PBD, Map<String, String>> device_config = CLASS.ro("device_config", STRING_MAP);
    Field<PBD, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL);
    Field<PBD, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);

    /** The messages of PBD that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Create a new PBD instance, and return its handle.")
        @Api(async = true, errors = {"PBD_EXISTS"})
        Ref<PBD> create(Rec<PBD> args);

        @Doc("Remove the PBD; refused while plugged")
        @Api(async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void destroy(Ref<PBD> self);

        @Doc("Attach the SR on the PBD's host")
        @Api(async = true, errors = {"SR_UNKNOWN_DRIVER"})
        void plug(Ref<PBD> self);

        @Doc("Detach the SR from the PBD's host; refused while its disks are in use")
        @Api(async = true, errors = {"VDI_IN_USE"})
        void unplug(Ref<PBD> self);

        @Doc("Change how the host reaches the SR")
        @Api(async = true)
        void set_device_config(Ref<PBD> self, Map<String, String> value);
    }
}

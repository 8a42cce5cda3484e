package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class VMPP. */
public interface VMPP {
    ApiClass<VMPP> CLASS = ApiClass.declare(VMPP.class, "VMPP");

    Field<VMPP, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VMPP, String> name_label = CLASS.rw("name_label", STRING);
    Field<VMPP, String> name_description = CLASS.rw("name_description", STRING);
}

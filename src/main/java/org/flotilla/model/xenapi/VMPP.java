package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** A VM protection policy, a retired XenServer feature of scheduled backups; declared for clients, never made. */
public interface VMPP {
    ApiClass<VMPP> CLASS = ApiClass.declare(VMPP.class, "VMPP")
            .doc("A VM protection policy, a retired XenServer feature of scheduled backups; declared for clients, never made.");

    Field<VMPP, String> uuid = CLASS.dyn("uuid", STRING).doc("The protection policy's unique identifier, fixed for its whole life.");
    Field<VMPP, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the protection policy by; it need not be unique.");
    Field<VMPP, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the protection policy.");
}

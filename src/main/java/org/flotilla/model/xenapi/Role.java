package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class role. */
public interface Role {
    ApiClass<Role> CLASS = ApiClass.declare(Role.class, "role");

    Field<Role, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Role, String> name_label = CLASS.ro("name_label", STRING);
    Field<Role, String> name_description = CLASS.ro("name_description", STRING);
    Field<Role, List<Ref<Role>>> subroles = CLASS.ro("subroles", setOf(ref(Role.class)));
    Field<Role, Boolean> is_internal = CLASS.dyn("is_internal", BOOL);
}

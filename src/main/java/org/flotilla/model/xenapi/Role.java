package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A role of role-based access control, made of permissions; Flotilla has none, root may do everything. */
public interface Role {
    ApiClass<Role> CLASS = ApiClass.declare(Role.class, "role")
            .doc("A role of role-based access control, made of permissions; Flotilla has none, root may do everything.");

    Field<Role, String> uuid = CLASS.dyn("uuid", STRING).doc("The role's unique identifier, fixed for its whole life.");
    Field<Role, String> name_label = CLASS.ro("name_label", STRING).doc("The role's name, e.g. pool-admin.");
    Field<Role, String> name_description = CLASS.ro("name_description", STRING).doc("What the role may do.");
    Field<Role, List<Ref<Role>>> subroles = CLASS.ro("subroles", setOf(ref(Role.class)))
            .doc("The roles and permissions this role includes.");
    Field<Role, Boolean> is_internal = CLASS.dyn("is_internal", BOOL).doc("Whether the role is for the toolstack's own use.");
}

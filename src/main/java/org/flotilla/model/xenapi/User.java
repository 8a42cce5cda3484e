package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** The XenAPI's class user. */
public interface User {
    ApiClass<User> CLASS = ApiClass.declare(User.class, "user", Shape.UNLISTED, Shape.WITHOUT_EVENTS);

    Field<User, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<User, String> short_name = CLASS.ro("short_name", STRING);
    Field<User, String> fullname = CLASS.rw("fullname", STRING);
    Field<User, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** A user record of the old user API; Flotilla makes none (only root logs in). */
public interface User {
    ApiClass<User> CLASS = ApiClass.declare(User.class, "user", Shape.UNLISTED, Shape.WITHOUT_EVENTS)
            .doc("A user record of the old user API; Flotilla makes none (only root logs in).");

    Field<User, String> uuid = CLASS.dyn("uuid", STRING).doc("The user's unique identifier, fixed for its whole life.");
    Field<User, String> short_name = CLASS.ro("short_name", STRING).doc("The user's login name.");
    Field<User, String> fullname = CLASS.rw("fullname", STRING).doc("The user's full name.");
    Field<User, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the user.");
}

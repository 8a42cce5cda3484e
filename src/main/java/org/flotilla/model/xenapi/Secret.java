package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** The XenAPI's class secret. */
public interface Secret {
    ApiClass<Secret> CLASS = ApiClass.declare(Secret.class, "secret", Shape.WITHOUT_EVENTS);

    Field<Secret, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Secret, String> value = CLASS.rw("value", STRING);
    Field<Secret, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

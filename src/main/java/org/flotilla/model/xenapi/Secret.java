package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** A value kept apart from the records that use it (e.g. a vTPM's state); never shown in events. */
public interface Secret {
    ApiClass<Secret> CLASS = ApiClass.declare(Secret.class, "secret", Shape.WITHOUT_EVENTS)
            .doc("A value kept apart from the records that use it (e.g. a vTPM's state); never shown in events.");

    Field<Secret, String> uuid = CLASS.dyn("uuid", STRING).doc("The secret's unique identifier, fixed for its whole life.");
    Field<Secret, String> value = CLASS.rw("value", STRING).doc("The secret value.");
    Field<Secret, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP).doc("Key/value pairs kept on the secret.");
}

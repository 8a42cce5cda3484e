package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** An external user or group allowed to log in, with its roles; Flotilla authenticates root alone and has none. */
public interface Subject {
    ApiClass<Subject> CLASS = ApiClass.declare(Subject.class, "subject")
            .doc("An external user or group allowed to log in, with its roles; Flotilla authenticates root alone and has none.");

    Field<Subject, String> uuid = CLASS.dyn("uuid", STRING).doc("The subject's unique identifier, fixed for its whole life.");
    Field<Subject, String> subject_identifier = CLASS.ro("subject_identifier", STRING).doc("The security identifier of the user or group.");
    Field<Subject, Map<String, String>> other_config = CLASS.ro("other_config", STRING_MAP)
            .doc("What the external service says of the user or group.");
    Field<Subject, List<Ref<Role>>> roles = CLASS.dyn("roles", setOf(ref(Role.class))).doc("The roles given to the subject.");
}

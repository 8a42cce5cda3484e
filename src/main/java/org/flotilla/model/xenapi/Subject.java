package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class subject. */
public interface Subject {
    ApiClass<Subject> CLASS = ApiClass.declare(Subject.class, "subject");

    Field<Subject, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Subject, String> subject_identifier = CLASS.ro("subject_identifier", STRING);
    Field<Subject, Map<String, String>> other_config = CLASS.ro("other_config", STRING_MAP);
    Field<Subject, List<Ref<Role>>> roles = CLASS.dyn("roles", setOf(ref(Role.class)));
}

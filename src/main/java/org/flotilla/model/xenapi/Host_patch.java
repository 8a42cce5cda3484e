package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class host_patch. */
public interface Host_patch {
    ApiClass<Host_patch> CLASS = ApiClass.declare(Host_patch.class, "host_patch");

    Field<Host_patch, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Host_patch, String> name_label = CLASS.ro("name_label", STRING);
    Field<Host_patch, String> name_description = CLASS.ro("name_description", STRING);
    Field<Host_patch, String> version = CLASS.ro("version", STRING);
    Field<Host_patch, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<Host_patch, Boolean> applied = CLASS.dyn("applied", BOOL);
    Field<Host_patch, Instant> timestamp_applied = CLASS.dyn("timestamp_applied", DATETIME);
    Field<Host_patch, Long> size = CLASS.dyn("size", INT);
    Field<Host_patch, Ref<Pool_patch>> pool_patch = CLASS.ro("pool_patch", ref(Pool_patch.class));
    Field<Host_patch, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

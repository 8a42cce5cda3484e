package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class host_crashdump. */
public interface Host_crashdump {
    ApiClass<Host_crashdump> CLASS = ApiClass.declare(Host_crashdump.class, "host_crashdump");

    Field<Host_crashdump, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Host_crashdump, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<Host_crashdump, Instant> timestamp = CLASS.dyn("timestamp", DATETIME);
    Field<Host_crashdump, Long> size = CLASS.dyn("size", INT);
    Field<Host_crashdump, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A crash dump of a host's own kernel; Flotilla makes none. */
public interface Host_crashdump {
    ApiClass<Host_crashdump> CLASS = ApiClass.declare(Host_crashdump.class, "host_crashdump")
            .doc("A crash dump of a host's own kernel; Flotilla makes none.");

    Field<Host_crashdump, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The host crash dump's unique identifier, fixed for its whole life.");
    Field<Host_crashdump, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host that crashed.");
    Field<Host_crashdump, Instant> timestamp = CLASS.dyn("timestamp", DATETIME).doc("When it crashed.");
    Field<Host_crashdump, Long> size = CLASS.dyn("size", INT).doc("The dump's size in bytes.");
    Field<Host_crashdump, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the host crash dump.");
}

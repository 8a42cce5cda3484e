package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** A host's memory, kept up to date while the daemon runs. */
public interface Host_metrics {
    ApiClass<Host_metrics> CLASS = ApiClass.declare(Host_metrics.class, "host_metrics")
            .doc("A host's memory, kept up to date while the daemon runs.");

    Field<Host_metrics, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The host metrics record's unique identifier, fixed for its whole life.");
    Field<Host_metrics, Long> memory_total = CLASS.dyn("memory_total", INT).doc("The host's memory in bytes, read at every start.");
    Field<Host_metrics, Long> memory_free = CLASS.dyn("memory_free", INT)
            .doc("The memory a new VM could have now, in bytes: what is available less what running VMs may still claim.");
    Field<Host_metrics, Boolean> live = CLASS.dyn("live", BOOL).doc("Whether the host is up; true while the daemon runs.");
    Field<Host_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME).doc("When memory_free was last worked out.");
    Field<Host_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the host metrics record.");
}

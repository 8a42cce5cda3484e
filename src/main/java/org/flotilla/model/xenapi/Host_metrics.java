package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class host_metrics. */
public interface Host_metrics {
    ApiClass<Host_metrics> CLASS = ApiClass.declare(Host_metrics.class, "host_metrics");

    Field<Host_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Host_metrics, Long> memory_total = CLASS.dyn("memory_total", INT);
    Field<Host_metrics, Long> memory_free = CLASS.dyn("memory_free", INT);
    Field<Host_metrics, Boolean> live = CLASS.dyn("live", BOOL);
    Field<Host_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME);
    Field<Host_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

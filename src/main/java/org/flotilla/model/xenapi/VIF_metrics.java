package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class VIF_metrics. */
public interface VIF_metrics {
    ApiClass<VIF_metrics> CLASS = ApiClass.declare(VIF_metrics.class, "VIF_metrics");

    Field<VIF_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VIF_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME);
    Field<VIF_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

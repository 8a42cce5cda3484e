package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class PIF_metrics. */
public interface PIF_metrics {
    ApiClass<PIF_metrics> CLASS = ApiClass.declare(PIF_metrics.class, "PIF_metrics");

    Field<PIF_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PIF_metrics, Boolean> carrier = CLASS.dyn("carrier", BOOL);
    Field<PIF_metrics, String> vendor_id = CLASS.dyn("vendor_id", STRING);
    Field<PIF_metrics, String> vendor_name = CLASS.dyn("vendor_name", STRING);
    Field<PIF_metrics, String> device_id = CLASS.dyn("device_id", STRING);
    Field<PIF_metrics, String> device_name = CLASS.dyn("device_name", STRING);
    Field<PIF_metrics, Long> speed = CLASS.dyn("speed", INT);
    Field<PIF_metrics, Boolean> duplex = CLASS.dyn("duplex", BOOL);
    Field<PIF_metrics, String> pci_bus_path = CLASS.dyn("pci_bus_path", STRING);
    Field<PIF_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME);
    Field<PIF_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** A VIF's metrics record; its traffic is served as RRD metrics of the VM instead. */
public interface VIF_metrics {
    ApiClass<VIF_metrics> CLASS = ApiClass.declare(VIF_metrics.class, "VIF_metrics")
            .doc("A VIF's metrics record; its traffic is served as RRD metrics of the VM instead.");

    Field<VIF_metrics, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The VIF metrics record's unique identifier, fixed for its whole life.");
    Field<VIF_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME).doc("When the record last changed.");
    Field<VIF_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the VIF metrics record.");
}

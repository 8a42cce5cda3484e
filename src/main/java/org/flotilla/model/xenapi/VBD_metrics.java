package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** The XenAPI's class VBD_metrics. */
public interface VBD_metrics {
    ApiClass<VBD_metrics> CLASS = ApiClass.declare(VBD_metrics.class, "VBD_metrics");

    Field<VBD_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
}

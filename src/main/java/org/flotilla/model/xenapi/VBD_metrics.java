package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** A VBD's metrics record: only its uuid remains, as in XAPI, which now serves disk I/O as RRD metrics. */
public interface VBD_metrics {
    ApiClass<VBD_metrics> CLASS = ApiClass.declare(VBD_metrics.class, "VBD_metrics")
            .doc("A VBD's metrics record: only its uuid remains, as in XAPI, which now serves disk I/O as RRD metrics.");

    Field<VBD_metrics, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The VBD metrics record's unique identifier, fixed for its whole life.");
}

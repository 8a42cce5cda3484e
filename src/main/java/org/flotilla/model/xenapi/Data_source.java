package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;

/** A metric of a host or VM that can be archived in its RRD; only a shape of value, as get_data_sources answers. */
public interface Data_source {
    ApiClass<Data_source> CLASS = ApiClass.declare(Data_source.class, "data_source", Shape.NOT_STORED)
            .doc("A metric of a host or VM that can be archived in its RRD; only a shape of value, as get_data_sources answers.");

    Field<Data_source, String> name_label = CLASS.dyn("name_label", STRING)
            .doc("The metric's name, e.g. cpu0, memory_internal_free, vif_0_rx.");
    Field<Data_source, String> name_description = CLASS.dyn("name_description", STRING).doc("What the metric measures.");
    Field<Data_source, Boolean> enabled = CLASS.dyn("enabled", BOOL).doc("Whether the metric is archived in the RRD.");
    Field<Data_source, Boolean> standard = CLASS.dyn("standard", BOOL)
            .doc("Whether the host reports the metric now (false for one left only in the archive).");
    Field<Data_source, String> units = CLASS.dyn("units", STRING).doc("The unit of the metric's values.");
    Field<Data_source, Double> min = CLASS.dyn("min", FLOAT).doc("The least value the metric takes.");
    Field<Data_source, Double> max = CLASS.dyn("max", FLOAT).doc("The greatest value the metric takes.");
    Field<Data_source, Double> value = CLASS.dyn("value", FLOAT)
            .doc("The metric's value; always 0 here, as in XAPI: query_data_source gives the latest.");
}

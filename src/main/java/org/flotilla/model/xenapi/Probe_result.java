package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;

/** What a storage probe found at a place: an SR that could be introduced there; only a shape of value. */
public interface Probe_result {
    ApiClass<Probe_result> CLASS = ApiClass.declare(Probe_result.class, "probe_result", Shape.NOT_STORED)
            .doc("What a storage probe found at a place: an SR that could be introduced there; only a shape of value.");

    Field<Probe_result, Map<String, String>> configuration = CLASS.dyn("configuration", STRING_MAP)
            .doc("The device_config that reaches what was found.");
    Field<Probe_result, Boolean> complete = CLASS.dyn("complete", BOOL).doc("Whether the configuration is enough to attach an SR.");
    Field<Probe_result, Rec<Sr_stat>> sr = CLASS.dyn("sr", record(Sr_stat.class)).doc("The SR found, if any.");
    Field<Probe_result, Map<String, String>> extra_info = CLASS.dyn("extra_info", STRING_MAP).doc("Anything else the probe has to say.");
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;

/** The XenAPI's class probe_result. */
public interface Probe_result {
    ApiClass<Probe_result> CLASS = ApiClass.declare(Probe_result.class, "probe_result", Shape.NOT_STORED);

    Field<Probe_result, Map<String, String>> configuration = CLASS.dyn("configuration", STRING_MAP);
    Field<Probe_result, Boolean> complete = CLASS.dyn("complete", BOOL);
    Field<Probe_result, Rec<Sr_stat>> sr = CLASS.dyn("sr", record(Sr_stat.class));
    Field<Probe_result, Map<String, String>> extra_info = CLASS.dyn("extra_info", STRING_MAP);
}

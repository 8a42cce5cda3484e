package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class host_cpu. */
public interface Host_cpu {
    ApiClass<Host_cpu> CLASS = ApiClass.declare(Host_cpu.class, "host_cpu");

    Field<Host_cpu, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Host_cpu, Ref<Host>> host = CLASS.dyn("host", ref(Host.class));
    Field<Host_cpu, Long> number = CLASS.dyn("number", INT);
    Field<Host_cpu, String> vendor = CLASS.dyn("vendor", STRING);
    Field<Host_cpu, Long> speed = CLASS.dyn("speed", INT);
    Field<Host_cpu, String> modelname = CLASS.dyn("modelname", STRING);
    Field<Host_cpu, Long> family = CLASS.dyn("family", INT);
    Field<Host_cpu, Long> model = CLASS.dyn("model", INT);
    Field<Host_cpu, String> stepping = CLASS.dyn("stepping", STRING);
    Field<Host_cpu, String> flags = CLASS.dyn("flags", STRING);
    Field<Host_cpu, String> features = CLASS.dyn("features", STRING);
    Field<Host_cpu, Double> utilisation = CLASS.dyn("utilisation", FLOAT);
    Field<Host_cpu, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** One CPU (logical processor) of a host. */
public interface Host_cpu {
    ApiClass<Host_cpu> CLASS = ApiClass.declare(Host_cpu.class, "host_cpu")
            .doc("One CPU (logical processor) of a host.");

    Field<Host_cpu, String> uuid = CLASS.dyn("uuid", STRING).doc("The CPU record's unique identifier, fixed for its whole life.");
    Field<Host_cpu, Ref<Host>> host = CLASS.dyn("host", ref(Host.class)).doc("The host the CPU is in.");
    Field<Host_cpu, Long> number = CLASS.dyn("number", INT).doc("The CPU's number in the host, from 0.");
    Field<Host_cpu, String> vendor = CLASS.dyn("vendor", STRING).doc("Who made the CPU (e.g. GenuineIntel).");
    Field<Host_cpu, Long> speed = CLASS.dyn("speed", INT)
            .doc("The CPU's clock speed in MHz; Flotilla does not record it here (see host.cpu_info).");
    Field<Host_cpu, String> modelname = CLASS.dyn("modelname", STRING).doc("The CPU's model name.");
    Field<Host_cpu, Long> family = CLASS.dyn("family", INT)
            .doc("The CPU's family number; Flotilla does not record it here (see host.cpu_info).");
    Field<Host_cpu, Long> model = CLASS.dyn("model", INT)
            .doc("The CPU's model number; Flotilla does not record it here (see host.cpu_info).");
    Field<Host_cpu, String> stepping = CLASS.dyn("stepping", STRING)
            .doc("The CPU's stepping; Flotilla does not record it here (see host.cpu_info).");
    Field<Host_cpu, String> flags = CLASS.dyn("flags", STRING).doc("The CPU's feature flags, as /proc/cpuinfo lists them.");
    Field<Host_cpu, String> features = CLASS.dyn("features", STRING).doc("The CPU's feature bitmap; empty.");
    Field<Host_cpu, Double> utilisation = CLASS.dyn("utilisation", FLOAT).doc("How busy the CPU was over the last 5 seconds, from 0 to 1.");
    Field<Host_cpu, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the CPU record.");
}

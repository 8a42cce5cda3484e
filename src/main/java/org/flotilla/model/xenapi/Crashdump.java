package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class crashdump. */
public interface Crashdump {
    ApiClass<Crashdump> CLASS = ApiClass.declare(Crashdump.class, "crashdump");

    Field<Crashdump, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Crashdump, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class));
    Field<Crashdump, Ref<VDI>> VDI = CLASS.ro("VDI", ref(VDI.class));
    Field<Crashdump, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

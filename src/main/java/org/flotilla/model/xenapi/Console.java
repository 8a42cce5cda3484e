package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;

/** The XenAPI's class console. */
public interface Console {
    ApiClass<Console> CLASS = ApiClass.declare(Console.class, "console");

    Field<Console, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Console, ConsoleProtocol> protocol = CLASS.dyn("protocol", enumOf(ConsoleProtocol.class));
    Field<Console, String> location = CLASS.dyn("location", STRING);
    Field<Console, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class));
    Field<Console, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class VLAN. */
public interface VLAN {
    ApiClass<VLAN> CLASS = ApiClass.declare(VLAN.class, "VLAN");

    Field<VLAN, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VLAN, Ref<PIF>> tagged_PIF = CLASS.ro("tagged_PIF", ref(PIF.class));
    Field<VLAN, Ref<PIF>> untagged_PIF = CLASS.dyn("untagged_PIF", ref(PIF.class));
    Field<VLAN, Long> tag = CLASS.ro("tag", INT, -1L);
    Field<VLAN, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

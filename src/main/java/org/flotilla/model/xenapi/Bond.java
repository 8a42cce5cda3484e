package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.BondMode;

/** The XenAPI's class Bond. */
public interface Bond {
    ApiClass<Bond> CLASS = ApiClass.declare(Bond.class, "Bond");

    Field<Bond, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Bond, Ref<PIF>> master = CLASS.ro("master", ref(PIF.class));
    Relation<Bond, PIF> slaves = CLASS.relation("slaves", () -> PIF.bond_slave_of);
    Field<Bond, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Bond, Ref<PIF>> primary_slave = CLASS.dyn("primary_slave", ref(PIF.class));
    Field<Bond, BondMode> mode = CLASS.dyn("mode", enumOf(BondMode.class));
    Field<Bond, Map<String, String>> properties = CLASS.dyn("properties", STRING_MAP);
    Field<Bond, Long> links_up = CLASS.dyn("links_up", INT);
    Field<Bond, Boolean> auto_update_mac = CLASS.dyn("auto_update_mac", BOOL, true);
}

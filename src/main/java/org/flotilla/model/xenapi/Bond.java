package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.BondMode;

/** Several NICs of a host joined as one interface; Flotilla makes no bonds. */
public interface Bond {
    ApiClass<Bond> CLASS = ApiClass.declare(Bond.class, "Bond")
            .doc("Several NICs of a host joined as one interface; Flotilla makes no bonds.");

    Field<Bond, String> uuid = CLASS.dyn("uuid", STRING).doc("The bond's unique identifier, fixed for its whole life.");
    Field<Bond, Ref<PIF>> master = CLASS.ro("master", ref(PIF.class)).doc("The bond interface.");
    Relation<Bond, PIF> slaves = CLASS.relation("slaves", () -> PIF.bond_slave_of).doc("The NICs joined in the bond.");
    Field<Bond, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the bond.");
    Field<Bond, Ref<PIF>> primary_slave = CLASS.dyn("primary_slave", ref(PIF.class))
            .doc("In active-backup mode, the NIC used while it works.");
    Field<Bond, BondMode> mode = CLASS.dyn("mode", enumOf(BondMode.class))
            .doc("How traffic is spread over the NICs: balance-slb, active-backup or lacp.");
    Field<Bond, Map<String, String>> properties = CLASS.dyn("properties", STRING_MAP).doc("Settings of the bond's mode.");
    Field<Bond, Long> links_up = CLASS.dyn("links_up", INT).doc("How many of the bond's NICs have a link.");
    Field<Bond, Boolean> auto_update_mac = CLASS.dyn("auto_update_mac", BOOL, true)
            .doc("Whether the bond takes the MAC of its primary NIC.");
}

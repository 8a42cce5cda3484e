package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A VLAN on a host interface: tagged traffic as an interface of its own; Flotilla makes no VLANs. */
public interface VLAN {
    ApiClass<VLAN> CLASS = ApiClass.declare(VLAN.class, "VLAN")
            .doc("A VLAN on a host interface: tagged traffic as an interface of its own; Flotilla makes no VLANs.");

    Field<VLAN, String> uuid = CLASS.dyn("uuid", STRING).doc("The VLAN's unique identifier, fixed for its whole life.");
    Field<VLAN, Ref<PIF>> tagged_PIF = CLASS.ro("tagged_PIF", ref(PIF.class)).doc("The interface the VLAN's tagged traffic goes over.");
    Field<VLAN, Ref<PIF>> untagged_PIF = CLASS.dyn("untagged_PIF", ref(PIF.class)).doc("The interface that stands for the VLAN, untagged.");
    Field<VLAN, Long> tag = CLASS.ro("tag", INT, -1L).doc("The VLAN tag (0 to 4095).");
    Field<VLAN, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the VLAN.");
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.VusbOperations;

/** The XenAPI's class VUSB. */
public interface VUSB {
    ApiClass<VUSB> CLASS = ApiClass.declare(VUSB.class, "VUSB");

    Field<VUSB, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VUSB, List<VusbOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VusbOperations.class)));
    Field<VUSB, Map<String, VusbOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VusbOperations.class)));
    Field<VUSB, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class));
    Field<VUSB, Ref<USB_group>> USB_group = CLASS.dyn("USB_group", ref(USB_group.class));
    Field<VUSB, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VUSB, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL);
}

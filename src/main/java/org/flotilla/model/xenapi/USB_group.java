package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** The XenAPI's class USB_group. */
public interface USB_group {
    ApiClass<USB_group> CLASS = ApiClass.declare(USB_group.class, "USB_group");

    Field<USB_group, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<USB_group, String> name_label = CLASS.rw("name_label", STRING);
    Field<USB_group, String> name_description = CLASS.rw("name_description", STRING);
    Relation<USB_group, PUSB> PUSBs = CLASS.relation("PUSBs", () -> PUSB.USB_group);
    Relation<USB_group, VUSB> VUSBs = CLASS.relation("VUSBs", () -> VUSB.USB_group);
    Field<USB_group, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
}

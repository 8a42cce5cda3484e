package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Relation;

/** Physical USB devices that VMs may use alike; Flotilla makes none. */
public interface USB_group {
    ApiClass<USB_group> CLASS = ApiClass.declare(USB_group.class, "USB_group")
            .doc("Physical USB devices that VMs may use alike; Flotilla makes none.");

    Field<USB_group, String> uuid = CLASS.dyn("uuid", STRING).doc("The USB group's unique identifier, fixed for its whole life.");
    Field<USB_group, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the USB group by; it need not be unique.");
    Field<USB_group, String> name_description = CLASS.rw("name_description", STRING)
            .doc("A longer free-text description of the USB group.");
    Relation<USB_group, PUSB> PUSBs = CLASS.relation("PUSBs", () -> PUSB.USB_group).doc("The physical USB devices in the group.");
    Relation<USB_group, VUSB> VUSBs = CLASS.relation("VUSBs", () -> VUSB.USB_group).doc("The virtual USB devices taken from the group.");
    Field<USB_group, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the USB group.");
}

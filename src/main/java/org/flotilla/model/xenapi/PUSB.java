package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A USB device plugged into a host; Flotilla passes no USB devices through and makes none. */
public interface PUSB {
    ApiClass<PUSB> CLASS = ApiClass.declare(PUSB.class, "PUSB")
            .doc("A USB device plugged into a host; Flotilla passes no USB devices through and makes none.");

    Field<PUSB, String> uuid = CLASS.dyn("uuid", STRING).doc("The physical USB device's unique identifier, fixed for its whole life.");
    Field<PUSB, Ref<USB_group>> USB_group = CLASS.ro("USB_group", ref(USB_group.class)).doc("The group the device is in.");
    Field<PUSB, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host it is plugged into.");
    Field<PUSB, String> path = CLASS.ro("path", STRING).doc("Where it is on the host's USB buses.");
    Field<PUSB, String> vendor_id = CLASS.ro("vendor_id", STRING).doc("Its USB vendor id.");
    Field<PUSB, String> vendor_desc = CLASS.ro("vendor_desc", STRING).doc("Who made it.");
    Field<PUSB, String> product_id = CLASS.ro("product_id", STRING).doc("Its USB product id.");
    Field<PUSB, String> product_desc = CLASS.ro("product_desc", STRING).doc("What it is.");
    Field<PUSB, String> serial = CLASS.ro("serial", STRING).doc("Its serial number.");
    Field<PUSB, String> version = CLASS.ro("version", STRING).doc("The USB version it speaks.");
    Field<PUSB, String> description = CLASS.ro("description", STRING).doc("A description of the device.");
    Field<PUSB, Boolean> passthrough_enabled = CLASS.dyn("passthrough_enabled", BOOL).doc("Whether it may be passed through to a VM.");
    Field<PUSB, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the physical USB device.");
    Field<PUSB, Double> speed = CLASS.ro("speed", FLOAT, -1.0).doc("Its speed in Mbit/s; -1 if unknown.");
}

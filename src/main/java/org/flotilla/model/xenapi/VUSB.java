package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.VusbOperations;

/** A USB device of a host passed through to a VM; Flotilla passes no USB devices through. */
public interface VUSB {
    ApiClass<VUSB> CLASS = ApiClass.declare(VUSB.class, "VUSB")
            .doc("A USB device of a host passed through to a VM; Flotilla passes no USB devices through.");

    Field<VUSB, String> uuid = CLASS.dyn("uuid", STRING).doc("The virtual USB device's unique identifier, fixed for its whole life.");
    Field<VUSB, List<VusbOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VusbOperations.class)))
            .doc("The operations that may be started on the virtual USB device now.");
    Field<VUSB, Map<String, VusbOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VusbOperations.class)))
            .doc("The operations under way on the virtual USB device, each under the reference of the task that runs it.");
    Field<VUSB, Ref<VM>> VM = CLASS.dyn("VM", ref(VM.class)).doc("The VM the device is given to.");
    Field<VUSB, Ref<USB_group>> USB_group = CLASS.dyn("USB_group", ref(USB_group.class))
            .doc("The group of host USB devices it takes one from.");
    Field<VUSB, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the virtual USB device.");
    Field<VUSB, Boolean> currently_attached = CLASS.dyn("currently_attached", BOOL)
            .doc("Whether the device is attached to the running VM.");
}

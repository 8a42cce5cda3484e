package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A PCI device of a host; Flotilla does not list them, as it passes no devices through. */
public interface PCI {
    ApiClass<PCI> CLASS = ApiClass.declare(PCI.class, "PCI")
            .doc("A PCI device of a host; Flotilla does not list them, as it passes no devices through.");

    Field<PCI, String> uuid = CLASS.dyn("uuid", STRING).doc("The PCI device's unique identifier, fixed for its whole life.");
    Field<PCI, String> class_name = CLASS.ro("class_name", STRING).doc("The kind of device.");
    Field<PCI, String> vendor_name = CLASS.ro("vendor_name", STRING).doc("Who made the device.");
    Field<PCI, String> device_name = CLASS.ro("device_name", STRING).doc("The device's model.");
    Field<PCI, Ref<Host>> host = CLASS.ro("host", ref(Host.class)).doc("The host the device is in.");
    Field<PCI, String> pci_id = CLASS.ro("pci_id", STRING).doc("The device's PCI address.");
    Field<PCI, List<Ref<PCI>>> dependencies = CLASS.dyn("dependencies", setOf(ref(PCI.class)))
            .doc("The devices that must go with it to a VM.");
    Field<PCI, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the PCI device.");
    Field<PCI, String> subsystem_vendor_name = CLASS.ro("subsystem_vendor_name", STRING).doc("Who made the board the device is on.");
    Field<PCI, String> subsystem_device_name = CLASS.ro("subsystem_device_name", STRING).doc("The board's model.");
    Field<PCI, String> driver_name = CLASS.ro("driver_name", STRING).doc("The host driver bound to the device.");
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** The XenAPI's class PCI. */
public interface PCI {
    ApiClass<PCI> CLASS = ApiClass.declare(PCI.class, "PCI");

    Field<PCI, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<PCI, String> class_name = CLASS.ro("class_name", STRING);
    Field<PCI, String> vendor_name = CLASS.ro("vendor_name", STRING);
    Field<PCI, String> device_name = CLASS.ro("device_name", STRING);
    Field<PCI, Ref<Host>> host = CLASS.ro("host", ref(Host.class));
    Field<PCI, String> pci_id = CLASS.ro("pci_id", STRING);
    Field<PCI, List<Ref<PCI>>> dependencies = CLASS.dyn("dependencies", setOf(ref(PCI.class)));
    Field<PCI, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<PCI, String> subsystem_vendor_name = CLASS.ro("subsystem_vendor_name", STRING);
    Field<PCI, String> subsystem_device_name = CLASS.ro("subsystem_device_name", STRING);
    Field<PCI, String> driver_name = CLASS.ro("driver_name", STRING);
}

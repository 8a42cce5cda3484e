package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;

/** What the host knows of a physical interface's link and hardware. */
public interface PIF_metrics {
    ApiClass<PIF_metrics> CLASS = ApiClass.declare(PIF_metrics.class, "PIF_metrics")
            .doc("What the host knows of a physical interface's link and hardware.");

    Field<PIF_metrics, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The PIF metrics record's unique identifier, fixed for its whole life.");
    Field<PIF_metrics, Boolean> carrier = CLASS.dyn("carrier", BOOL).doc("Whether the interface has a link.");
    Field<PIF_metrics, String> vendor_id = CLASS.dyn("vendor_id", STRING).doc("The PCI vendor id of the NIC, in hex.");
    Field<PIF_metrics, String> vendor_name = CLASS.dyn("vendor_name", STRING).doc("The NIC's vendor; Flotilla does not record it.");
    Field<PIF_metrics, String> device_id = CLASS.dyn("device_id", STRING).doc("The PCI device id of the NIC, in hex.");
    Field<PIF_metrics, String> device_name = CLASS.dyn("device_name", STRING).doc("The NIC's model; Flotilla does not record it.");
    Field<PIF_metrics, Long> speed = CLASS.dyn("speed", INT).doc("The link speed in Mbit/s; 0 if unknown.");
    Field<PIF_metrics, Boolean> duplex = CLASS.dyn("duplex", BOOL).doc("Whether the link is full duplex.");
    Field<PIF_metrics, String> pci_bus_path = CLASS.dyn("pci_bus_path", STRING).doc("The NIC's PCI address, e.g. 0000:00:19.0.");
    Field<PIF_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME).doc("When the record was last read from the host.");
    Field<PIF_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the PIF metrics record.");
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.TristateType;

/** What an agent inside a guest reports about it; Flotilla runs no guest agent, so VMs have none. */
public interface VM_guest_metrics {
    ApiClass<VM_guest_metrics> CLASS = ApiClass.declare(VM_guest_metrics.class, "VM_guest_metrics")
            .doc("What an agent inside a guest reports about it; Flotilla runs no guest agent, so VMs have none.");

    Field<VM_guest_metrics, String> uuid = CLASS.dyn("uuid", STRING)
            .doc("The guest metrics record's unique identifier, fixed for its whole life.");
    Field<VM_guest_metrics, Map<String, String>> os_version = CLASS.dyn("os_version", STRING_MAP)
            .doc("The guest's operating system: name, distribution, version.");
    Field<VM_guest_metrics, Map<String, String>> PV_drivers_version = CLASS.dyn("PV_drivers_version", STRING_MAP)
            .doc("The versions of the guest's paravirtual drivers.");
    Field<VM_guest_metrics, Boolean> PV_drivers_up_to_date = CLASS.dyn("PV_drivers_up_to_date", BOOL)
            .doc("Whether the guest's paravirtual drivers are current (an old field, kept for clients).");
    Field<VM_guest_metrics, Map<String, String>> networks = CLASS.dyn("networks", STRING_MAP)
            .doc("The guest's IP addresses, by interface.");
    Field<VM_guest_metrics, Map<String, String>> other = CLASS.dyn("other", STRING_MAP).doc("Whatever else the guest agent reports.");
    Field<VM_guest_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME).doc("When the agent last reported.");
    Field<VM_guest_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP)
            .doc("Key/value pairs that clients and tools keep on the guest metrics record.");
    Field<VM_guest_metrics, Boolean> live = CLASS.dyn("live", BOOL).doc("Whether the agent is reporting now.");
    Field<VM_guest_metrics, TristateType> can_use_hotplug_vbd = CLASS.dyn("can_use_hotplug_vbd", enumOf(TristateType.class), TristateType.unspecified)
            .doc("Whether the guest can take disks plugged in while it runs.");
    Field<VM_guest_metrics, TristateType> can_use_hotplug_vif = CLASS.dyn("can_use_hotplug_vif", enumOf(TristateType.class), TristateType.unspecified)
            .doc("Whether the guest can take NICs plugged in while it runs.");
    Field<VM_guest_metrics, Boolean> PV_drivers_detected = CLASS.dyn("PV_drivers_detected", BOOL)
            .doc("Whether the guest runs paravirtual drivers.");
}

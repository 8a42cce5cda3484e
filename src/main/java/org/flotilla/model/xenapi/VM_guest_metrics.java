package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.xenapi.enums.TristateType;

/** The XenAPI's class VM_guest_metrics. */
public interface VM_guest_metrics {
    ApiClass<VM_guest_metrics> CLASS = ApiClass.declare(VM_guest_metrics.class, "VM_guest_metrics");

    Field<VM_guest_metrics, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VM_guest_metrics, Map<String, String>> os_version = CLASS.dyn("os_version", STRING_MAP);
    Field<VM_guest_metrics, Map<String, String>> PV_drivers_version = CLASS.dyn("PV_drivers_version", STRING_MAP);
    Field<VM_guest_metrics, Boolean> PV_drivers_up_to_date = CLASS.dyn("PV_drivers_up_to_date", BOOL);
    Field<VM_guest_metrics, Map<String, String>> networks = CLASS.dyn("networks", STRING_MAP);
    Field<VM_guest_metrics, Map<String, String>> other = CLASS.dyn("other", STRING_MAP);
    Field<VM_guest_metrics, Instant> last_updated = CLASS.dyn("last_updated", DATETIME);
    Field<VM_guest_metrics, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<VM_guest_metrics, Boolean> live = CLASS.dyn("live", BOOL);
    Field<VM_guest_metrics, TristateType> can_use_hotplug_vbd = CLASS.dyn("can_use_hotplug_vbd", enumOf(TristateType.class), TristateType.unspecified);
    Field<VM_guest_metrics, TristateType> can_use_hotplug_vif = CLASS.dyn("can_use_hotplug_vif", enumOf(TristateType.class), TristateType.unspecified);
    Field<VM_guest_metrics, Boolean> PV_drivers_detected = CLASS.dyn("PV_drivers_detected", BOOL);
}

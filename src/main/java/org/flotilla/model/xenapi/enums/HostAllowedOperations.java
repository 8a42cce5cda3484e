package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration host_allowed_operations. */
@Wire("host_allowed_operations")
public enum HostAllowedOperations implements WireEnum {
    provision,
    evacuate,
    shutdown,
    reboot,
    power_on,
    vm_start,
    vm_resume,
    vm_migrate,
    apply_updates,
    enable
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vm_appliance_operation. */
@Wire("vm_appliance_operation")
public enum VmApplianceOperation implements WireEnum {
    start,
    clean_shutdown,
    hard_shutdown,
    shutdown
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vm_power_state. */
@Wire("vm_power_state")
public enum VmPowerState implements WireEnum {
    Halted,
    Paused,
    Running,
    Suspended
}

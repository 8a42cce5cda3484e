package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration network_default_locking_mode. */
@Wire("network_default_locking_mode")
public enum NetworkDefaultLockingMode implements WireEnum {
    unlocked,
    disabled
}

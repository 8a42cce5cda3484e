package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vif_locking_mode. */
@Wire("vif_locking_mode")
public enum VifLockingMode implements WireEnum {
    network_default,
    locked,
    unlocked,
    disabled
}

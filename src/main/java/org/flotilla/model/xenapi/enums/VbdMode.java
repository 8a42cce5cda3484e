package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vbd_mode. */
@Wire("vbd_mode")
public enum VbdMode implements WireEnum {
    RO,
    RW
}

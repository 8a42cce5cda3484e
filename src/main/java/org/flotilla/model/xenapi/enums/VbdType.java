package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vbd_type. */
@Wire("vbd_type")
public enum VbdType implements WireEnum {
    CD,
    Disk,
    Floppy
}

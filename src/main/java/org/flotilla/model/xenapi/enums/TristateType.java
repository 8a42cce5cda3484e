package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration tristate_type. */
@Wire("tristate_type")
public enum TristateType implements WireEnum {
    yes,
    no,
    unspecified
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vusb_operations. */
@Wire("vusb_operations")
public enum VusbOperations implements WireEnum {
    attach,
    plug,
    unplug
}

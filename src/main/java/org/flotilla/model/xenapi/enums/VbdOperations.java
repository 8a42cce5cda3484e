package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vbd_operations. */
@Wire("vbd_operations")
public enum VbdOperations implements WireEnum {
    attach,
    eject,
    insert,
    plug,
    unplug,
    unplug_force,
    pause,
    unpause
}

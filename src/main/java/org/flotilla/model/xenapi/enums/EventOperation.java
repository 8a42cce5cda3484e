package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration event_operation. */
@Wire("event_operation")
public enum EventOperation implements WireEnum {
    add,
    del,
    mod
}

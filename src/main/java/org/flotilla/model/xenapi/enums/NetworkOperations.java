package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration network_operations. */
@Wire("network_operations")
public enum NetworkOperations implements WireEnum {
    attaching
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vif_operations. */
@Wire("vif_operations")
public enum VifOperations implements WireEnum {
    attach,
    plug,
    unplug
}

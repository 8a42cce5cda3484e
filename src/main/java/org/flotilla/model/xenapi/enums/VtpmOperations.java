package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vtpm_operations. */
@Wire("vtpm_operations")
public enum VtpmOperations implements WireEnum {
    destroy
}

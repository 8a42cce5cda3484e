package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration domain_type. */
@Wire("domain_type")
public enum DomainType implements WireEnum {
    hvm,
    pv,
    pv_in_pvh,
    pvh,
    unspecified
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration primary_address_type. */
@Wire("primary_address_type")
public enum PrimaryAddressType implements WireEnum {
    IPv4,
    IPv6
}

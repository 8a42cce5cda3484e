package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration ipv6_configuration_mode. */
@Wire("ipv6_configuration_mode")
public enum Ipv6ConfigurationMode implements WireEnum {
    None,
    DHCP,
    Static,
    Autoconf
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration ip_configuration_mode. */
@Wire("ip_configuration_mode")
public enum IpConfigurationMode implements WireEnum {
    None,
    DHCP,
    Static
}

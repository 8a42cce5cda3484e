package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vif_ipv6_configuration_mode. */
@Wire("vif_ipv6_configuration_mode")
public enum VifIpv6ConfigurationMode implements WireEnum {
    None,
    Static
}

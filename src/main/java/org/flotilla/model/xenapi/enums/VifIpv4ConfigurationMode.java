package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vif_ipv4_configuration_mode. */
@Wire("vif_ipv4_configuration_mode")
public enum VifIpv4ConfigurationMode implements WireEnum {
    None,
    Static
}

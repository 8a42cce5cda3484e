package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration tunnel_protocol. */
@Wire("tunnel_protocol")
public enum TunnelProtocol implements WireEnum {
    gre,
    vxlan
}

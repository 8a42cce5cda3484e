package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration sdn_controller_protocol. */
@Wire("sdn_controller_protocol")
public enum SdnControllerProtocol implements WireEnum {
    ssl,
    pssl
}

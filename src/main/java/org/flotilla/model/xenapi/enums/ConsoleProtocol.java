package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration console_protocol. */
@Wire("console_protocol")
public enum ConsoleProtocol implements WireEnum {
    vt100,
    rfb,
    rdp
}

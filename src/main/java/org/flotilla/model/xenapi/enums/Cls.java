package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration cls. */
@Wire("cls")
public enum Cls implements WireEnum {
    VM,
    Host,
    SR,
    Pool,
    VMPP,
    VMSS,
    PVS_proxy,
    VDI,
    Certificate
}

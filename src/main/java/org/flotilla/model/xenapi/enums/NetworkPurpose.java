package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration network_purpose. */
@Wire("network_purpose")
public enum NetworkPurpose implements WireEnum {
    nbd,
    insecure_nbd
}

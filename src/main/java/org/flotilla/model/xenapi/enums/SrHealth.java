package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration sr_health. */
@Wire("sr_health")
public enum SrHealth implements WireEnum {
    healthy,
    recovering
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration pif_igmp_status. */
@Wire("pif_igmp_status")
public enum PifIgmpStatus implements WireEnum {
    enabled,
    disabled,
    unknown
}

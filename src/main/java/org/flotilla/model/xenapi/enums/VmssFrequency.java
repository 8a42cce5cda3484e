package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vmss_frequency. */
@Wire("vmss_frequency")
public enum VmssFrequency implements WireEnum {
    hourly,
    daily,
    weekly
}

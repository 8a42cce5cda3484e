package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration on_boot. */
@Wire("on_boot")
public enum OnBoot implements WireEnum {
    reset,
    persist
}

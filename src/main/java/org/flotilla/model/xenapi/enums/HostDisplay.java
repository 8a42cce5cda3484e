package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration host_display. */
@Wire("host_display")
public enum HostDisplay implements WireEnum {
    enabled,
    disable_on_reboot,
    disabled,
    enable_on_reboot
}

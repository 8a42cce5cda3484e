package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration on_softreboot_behavior. */
@Wire("on_softreboot_behavior")
public enum OnSoftrebootBehavior implements WireEnum {
    soft_reboot,
    destroy,
    restart,
    preserve
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration on_normal_exit. */
@Wire("on_normal_exit")
public enum OnNormalExit implements WireEnum {
    destroy,
    restart
}

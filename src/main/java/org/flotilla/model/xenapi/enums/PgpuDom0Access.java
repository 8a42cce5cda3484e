package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration pgpu_dom0_access. */
@Wire("pgpu_dom0_access")
public enum PgpuDom0Access implements WireEnum {
    enabled,
    disable_on_reboot,
    disabled,
    enable_on_reboot
}

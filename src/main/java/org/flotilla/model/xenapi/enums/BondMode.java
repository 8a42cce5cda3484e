package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration bond_mode. */
@Wire("bond_mode")
public enum BondMode implements WireEnum {
    @Wire("balance-slb") balance_slb,
    @Wire("active-backup") active_backup,
    lacp
}

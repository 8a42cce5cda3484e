package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration pool_guest_secureboot_readiness: whether the pool has the keys its VMs' Secure Boot starts from. */
@Wire("pool_guest_secureboot_readiness")
public enum PoolGuestSecurebootReadiness implements WireEnum {
    ready,
    ready_no_dbx,
    not_ready
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vm_secureboot_readiness: whether a VM would boot with UEFI Secure Boot, and why not. */
@Wire("vm_secureboot_readiness")
public enum VmSecurebootReadiness implements WireEnum {
    not_supported,
    disabled,
    first_boot,
    ready,
    ready_no_dbx,
    setup_mode,
    certs_incomplete
}

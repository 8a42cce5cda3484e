package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration update_guidances. */
@Wire("update_guidances")
public enum UpdateGuidances implements WireEnum {
    reboot_host,
    reboot_host_on_livepatch_failure,
    reboot_host_on_kernel_livepatch_failure,
    reboot_host_on_xen_livepatch_failure,
    restart_toolstack,
    restart_device_model,
    restart_vm
}

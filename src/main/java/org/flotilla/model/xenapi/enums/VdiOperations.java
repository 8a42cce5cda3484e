package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vdi_operations. */
@Wire("vdi_operations")
public enum VdiOperations implements WireEnum {
    clone,
    copy,
    resize,
    resize_online,
    snapshot,
    mirror,
    destroy,
    forget,
    update,
    force_unlock,
    generate_config,
    enable_cbt,
    disable_cbt,
    data_destroy,
    list_changed_blocks,
    set_on_boot,
    blocked
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration storage_operations. */
@Wire("storage_operations")
public enum StorageOperations implements WireEnum {
    scan,
    destroy,
    forget,
    plug,
    unplug,
    update,
    vdi_create,
    vdi_introduce,
    vdi_destroy,
    vdi_resize,
    vdi_clone,
    vdi_snapshot,
    vdi_mirror,
    vdi_enable_cbt,
    vdi_disable_cbt,
    vdi_data_destroy,
    vdi_list_changed_blocks,
    vdi_set_on_boot,
    pbd_create,
    pbd_destroy
}

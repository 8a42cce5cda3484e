package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration cluster_operation. */
@Wire("cluster_operation")
public enum ClusterOperation implements WireEnum {
    add,
    remove,
    enable,
    disable,
    destroy
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration cluster_host_operation. */
@Wire("cluster_host_operation")
public enum ClusterHostOperation implements WireEnum {
    enable,
    disable,
    destroy
}

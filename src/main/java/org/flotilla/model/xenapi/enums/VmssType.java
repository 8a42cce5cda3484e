package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vmss_type. */
@Wire("vmss_type")
public enum VmssType implements WireEnum {
    snapshot,
    checkpoint,
    snapshot_with_quiesce
}

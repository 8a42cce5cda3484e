package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration allocation_algorithm. */
@Wire("allocation_algorithm")
public enum AllocationAlgorithm implements WireEnum {
    breadth_first,
    depth_first
}

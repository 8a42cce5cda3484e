package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration host_numa_affinity_policy. */
@Wire("host_numa_affinity_policy")
public enum HostNumaAffinityPolicy implements WireEnum {
    any,
    best_effort,
    default_policy
}

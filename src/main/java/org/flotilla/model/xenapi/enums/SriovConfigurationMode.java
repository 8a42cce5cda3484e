package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration sriov_configuration_mode. */
@Wire("sriov_configuration_mode")
public enum SriovConfigurationMode implements WireEnum {
    sysfs,
    modprobe,
    manual,
    unknown
}

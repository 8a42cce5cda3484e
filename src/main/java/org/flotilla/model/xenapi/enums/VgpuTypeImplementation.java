package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vgpu_type_implementation. */
@Wire("vgpu_type_implementation")
public enum VgpuTypeImplementation implements WireEnum {
    passthrough,
    nvidia,
    nvidia_sriov,
    gvt_g,
    mxgpu
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration after_apply_guidance. */
@Wire("after_apply_guidance")
public enum AfterApplyGuidance implements WireEnum {
    restartHVM,
    restartPV,
    restartHost,
    restartXAPI
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration update_after_apply_guidance. */
@Wire("update_after_apply_guidance")
public enum UpdateAfterApplyGuidance implements WireEnum {
    restartHVM,
    restartPV,
    restartHost,
    restartXAPI
}

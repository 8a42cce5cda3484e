package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration task_allowed_operations. */
@Wire("task_allowed_operations")
public enum TaskAllowedOperations implements WireEnum {
    cancel,
    destroy
}

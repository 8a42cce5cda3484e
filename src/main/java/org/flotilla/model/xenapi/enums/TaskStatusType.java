package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration task_status_type. */
@Wire("task_status_type")
public enum TaskStatusType implements WireEnum {
    pending,
    success,
    failure,
    cancelling,
    cancelled
}

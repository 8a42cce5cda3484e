package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration on_crash_behaviour. */
@Wire("on_crash_behaviour")
public enum OnCrashBehaviour implements WireEnum {
    destroy,
    coredump_and_destroy,
    restart,
    coredump_and_restart,
    preserve,
    rename_restart
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration update_sync_frequency. */
@Wire("update_sync_frequency")
public enum UpdateSyncFrequency implements WireEnum {
    daily,
    weekly
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration latest_synced_updates_applied_state. */
@Wire("latest_synced_updates_applied_state")
public enum LatestSyncedUpdatesAppliedState implements WireEnum {
    yes,
    no,
    unknown
}

package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration vdi_type. */
@Wire("vdi_type")
public enum VdiType implements WireEnum {
    system,
    user,
    ephemeral,
    suspend,
    crashdump,
    ha_statefile,
    metadata,
    redo_log,
    rrd,
    pvs_cache,
    cbt_metadata
}

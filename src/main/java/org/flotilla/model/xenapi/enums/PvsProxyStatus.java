package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration pvs_proxy_status. */
@Wire("pvs_proxy_status")
public enum PvsProxyStatus implements WireEnum {
    stopped,
    initialised,
    caching,
    incompatible_write_cache_mode,
    incompatible_protocol_version
}

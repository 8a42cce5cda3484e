package org.flotilla.model.xenapi.enums;

import org.flotilla.model.Wire;
import org.flotilla.model.WireEnum;

/** The XenAPI's enumeration pool_allowed_operations. */
@Wire("pool_allowed_operations")
public enum PoolAllowedOperations implements WireEnum {
    ha_enable,
    ha_disable,
    cluster_create,
    designate_new_master,
    configure_repositories,
    sync_updates,
    get_updates,
    apply_updates,
    tls_verification_enable,
    cert_refresh,
    exchange_certificates_on_join,
    exchange_ca_certificates_on_join,
    copy_primary_host_certs,
    eject
}

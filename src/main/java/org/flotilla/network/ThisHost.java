package org.flotilla.network;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/** The host this daemon runs. Calls naming another host fail: there is no pool forwarding yet. */
public record ThisHost(Ref<Host> ref) {
    public void require(Ref<Host> host) {
        if (!ref.equals(host)) throw ApiError.of("CANNOT_CONTACT_HOST", host.value());
    }
}

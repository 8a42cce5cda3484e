package org.flotilla.storage;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;

/**
 * How this host has another host of the pool plug that host's PBD: there, through the API, as XAPI's SR.create has
 * each member plug its PBD of a shared SR.
 */
@FunctionalInterface
public interface PlugElsewhere {
    void plug(Ref<Host> host, Ref<PBD> pbd);

    /** A host whose calls are not forwarded reaches no other host. */
    PlugElsewhere NONE = (host, pbd) -> { throw ApiError.of("CANNOT_CONTACT_HOST", host.value()); };
}

package org.flotilla.storage;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VDI;

/**
 * How this host has another host of the pool make or destroy a VDI whose SR's metadata that host writes (the
 * coordinator, for an SR of extents on a LUN): there, through the API. For the daemon's own work that no client's
 * call carries whole to that host, such as the disks of a VM arriving from another host: a client's VDI.create on a
 * member is forwarded by the dispatcher instead.
 */
@FunctionalInterface
public interface VdisElsewhere {
    VDI.Actions on(Ref<Host> host);

    /** A host whose calls are not forwarded reaches no other host. */
    VdisElsewhere NONE = host -> { throw ApiError.of("CANNOT_CONTACT_HOST", host.value()); };
}

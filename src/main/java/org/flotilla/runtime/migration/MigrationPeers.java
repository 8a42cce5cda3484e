package org.flotilla.runtime.migration;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/** How this host reaches another host's side of a migration. */
public interface MigrationPeers {
    MigrationPeer to(Ref<Host> host);

    /** Until the daemons carry these calls to each other: no other host can be asked. */
    MigrationPeers NONE = host -> { throw ApiError.of("CANNOT_CONTACT_HOST", host.value()); };
}

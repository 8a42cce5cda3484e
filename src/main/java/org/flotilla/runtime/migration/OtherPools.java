package org.flotilla.runtime.migration;

import java.util.Map;
import org.flotilla.model.ApiError;

/**
 * How this host reaches a host of another pool for a VM's migration there: with the session and pinned certificate
 * host.migrate_receive gave, at the xenops service it named — never the members' own calls, which that host would not
 * let in. {@code records} are the VM's, as {@link TravellingRecords} writes them; {@code disks} each moving VDI's SR there.
 */
public interface OtherPools {
    /** Fails with the first reason the destination would not take the VM in: nothing is made there. */
    void check(OtherPoolDestination to, String records, Map<String, String> disks);

    /** The destination's side of the migration, which makes the VM's records there as it prepares. */
    MigrationPeer peer(OtherPoolDestination to, String records);

    /** Until the daemon carries these calls: no other pool can be reached. */
    OtherPools NONE = new OtherPools() {
        @Override
        public void check(OtherPoolDestination to, String records, Map<String, String> disks) {
            throw ApiError.of("CANNOT_CONTACT_HOST", to.host().value());
        }

        @Override
        public MigrationPeer peer(OtherPoolDestination to, String records) { throw ApiError.of("CANNOT_CONTACT_HOST", to.host().value()); }
    };
}

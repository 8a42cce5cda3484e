package org.flotilla.runtime.migration;

import java.util.Optional;

/**
 * A host's performance history of its VMs (their RRDs), which goes with a VM that migrates, as XAPI sends a VM's RRD
 * to its new host: the graphs a client draws from {@code /rrd_updates} go on where they were, not from nothing.
 */
public interface VmHistories {
    /** The history this host keeps of VM {@code vmUuid} (rrdtool's XML dump), if any. */
    Optional<String> of(String vmUuid);

    /** Takes up the history another host kept of VM {@code vmUuid}, in place of its own; INVALID_VALUE if it is not one. */
    void adopt(String vmUuid, String history);

    /** Forgets the history of VM {@code vmUuid}, which another host keeps now. */
    void forget(String vmUuid);

    /** No history kept (before the host's metrics start). */
    VmHistories NONE = new VmHistories() {
        @Override public Optional<String> of(String vmUuid) { return Optional.empty(); }

        @Override public void adopt(String vmUuid, String history) { }

        @Override public void forget(String vmUuid) { }
    };
}

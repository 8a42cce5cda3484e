package org.flotilla.runtime.migration;

import java.util.Set;
import java.util.function.Supplier;
import org.flotilla.raft.Fingerprint;

/** Whom the other end of a migration connection must be. */
public sealed interface PeerTrust {
    /**
     * The holder of a certificate whose SHA-256 fingerprint is one of these, read at each handshake: the destination
     * host's own pinned certificate for a source, the pool's members' for a destination.
     */
    record Pinned(Supplier<Set<String>> fingerprints) implements PeerTrust {}

    /**
     * Anyone: for a destination whose source is not a member (another pool's host), which the one-time token handed
     * out over the authenticated API vouches for alone. Never for a source, which must know whom it sends a VM to.
     */
    record Anyone() implements PeerTrust {}

    PeerTrust ANYONE = new Anyone();

    /** The certificate of this SHA-256 fingerprint, however its hex is spelled (case, colons). */
    static PeerTrust fingerprint(String sha256) {
        String canonical = Fingerprint.canonical(sha256);
        return new Pinned(() -> Set.of(canonical));
    }
}

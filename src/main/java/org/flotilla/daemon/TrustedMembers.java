package org.flotilla.daemon;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.pool.MemberCertificates;

/**
 * The certificate fingerprints this host lets in over the pool's TLS: its own, those it was given when it joined
 * (until its copy of the database lists them), and every member's the pool database lists.
 */
final class TrustedMembers implements Supplier<Set<String>> {
    private final String own;
    private volatile Set<String> bootstrap = Set.of();
    private volatile MemberCertificates listed;

    TrustedMembers(String ownFingerprint) { this.own = ownFingerprint; }

    void bootstrap(Set<String> fingerprints) { bootstrap = Set.copyOf(fingerprints); }

    void listFrom(Database db) { listed = new MemberCertificates(db); }

    @Override
    public Set<String> get() {
        var out = new HashSet<>(bootstrap);
        out.add(own);
        MemberCertificates l = listed;
        if (l != null) out.addAll(l.fingerprints());
        return out;
    }
}

package org.flotilla.pool;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Certificate;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.enums.CertificateType;
import org.flotilla.raft.Fingerprint;

/**
 * The members' certificates as the pool database lists them: one {@code host_internal} Certificate per member, by
 * SHA-256 fingerprint. Every member lets in, over the pool's own TLS, exactly the certificates listed here, so a
 * host that joins is trusted by all as soon as its record is replicated, and one ejected by none.
 */
public final class MemberCertificates {
    private final Database db;

    public MemberCertificates(Database db) { this.db = db; }

    /** The fingerprints of every member's certificate. */
    public Set<String> fingerprints() {
        return db.where(Certificate.CLASS, c -> c.get(Certificate.type) == CertificateType.host_internal).stream()
                .map(c -> c.get(Certificate.fingerprint)).collect(Collectors.toUnmodifiableSet());
    }

    /** The fingerprints listed for the host of this uuid: what that member, and no other, shows. */
    public Set<String> fingerprintsOf(String hostUuid) {
        return listedFor(hostUuid).stream().map(c -> c.get(Certificate.fingerprint)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Lists this host's own certificate unless it is already listed under its uuid: a member is pinned when it joins,
     * and a host that takes part in migrations shows it too.
     */
    public void listOwn(String hostUuid, Ref<Host> host, X509Certificate certificate) {
        String fingerprint = Fingerprint.sha256(certificate);
        if (fingerprintsOf(hostUuid).contains(fingerprint)) return;
        pin(hostUuid, host, fingerprint, certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    }

    /**
     * Lists a member's certificate, named by its host's uuid ({@code host} NULL while the joining host has no record
     * yet); replaces what was listed under that uuid.
     */
    public void pin(String hostUuid, Ref<Host> host, String fingerprint, Instant notBefore, Instant notAfter) {
        db.write(tx -> {
            for (var old : listedFor(hostUuid)) tx.delete(old.self(Certificate.CLASS));
            tx.put(Refs.newRef(Certificate.CLASS), Rec.empty(Certificate.CLASS)
                    .set(Certificate.uuid, Refs.newUuid())
                    .set(Certificate.name, hostUuid)
                    .set(Certificate.type, CertificateType.host_internal)
                    .set(Certificate.host, host)
                    .set(Certificate.fingerprint, fingerprint)
                    .set(Certificate.not_before, notBefore)
                    .set(Certificate.not_after, notAfter));
        });
    }

    /** Whether a certificate is listed for the host of this uuid: pool.exchange_certificates_on_join was called for it. */
    public boolean isListed(String hostUuid) {
        return !listedFor(hostUuid).isEmpty();
    }

    /** Stops trusting a member: its certificate is no longer listed. */
    public void unpin(String hostUuid) {
        db.write(tx -> {
            for (var old : listedFor(hostUuid)) tx.delete(old.self(Certificate.CLASS));
        });
    }

    /** The certificates listed for the host of this uuid. */
    private java.util.List<DbObject<Certificate>> listedFor(String hostUuid) {
        return db.where(Certificate.CLASS, c -> c.get(Certificate.type) == CertificateType.host_internal && c.get(Certificate.name).equals(hostUuid));
    }
}

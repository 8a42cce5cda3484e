package org.flotilla.raft;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * A member's TLS identity in the pool database's group: its private key and certificate chain, and the
 * certificates of the members it lets in, pinned (as XAPI pins each member's certificate when it joins the
 * pool). Every connection between members, either way, is mutual TLS: each side must present a pinned
 * certificate. A peer is known by its certificate alone, never by the name or address it is reached at, so no
 * DNS name nor IP address in a certificate counts. The pinned set may change while the member runs; it applies
 * to every connection made after the change.
 */
public final class MemberTls {
    private final OwnKeyManager key;
    private final PinnedTrustManager trust;

    public MemberTls(PrivateKey key, List<X509Certificate> chain, Collection<X509Certificate> trusted) {
        this(key, chain, trusted, Set::of);
    }

    /**
     * Trusting also, at each handshake, the members whose certificates' SHA-256 fingerprints {@code listed} gives:
     * a pool's members read them from the pool database, so that every member lets in whoever joins.
     */
    public MemberTls(PrivateKey key, List<X509Certificate> chain, Collection<X509Certificate> trusted, Supplier<Set<String>> listed) {
        if (chain.isEmpty()) throw new IllegalArgumentException("a TLS identity needs its certificate");
        this.key = new OwnKeyManager(key, chain);
        this.trust = new PinnedTrustManager(trusted, listed);
    }

    /** For HTTPS between members: this member's certificate offered, only members' certificates accepted. */
    public SSLContext sslContext() { return context(trust); }

    /**
     * This member's certificate offered, and only peers whose certificates' SHA-256 fingerprints {@code trusted} gives
     * accepted: for connections that must reach one member in particular (a migration's destination), or that trust
     * what another pool pins.
     */
    public SSLContext sslContext(Supplier<Set<String>> trusted) { return context(new PinnedTrustManager(Set.of(), trusted)); }

    private SSLContext context(PinnedTrustManager trusting) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {key}, new TrustManager[] {trusting}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context for the pool", e);
        }
    }

    /** This member's own certificate (its chain's first). */
    public X509Certificate certificate() { return key.certificate(); }

    /** Lets a member with this certificate in, as when a host joins the pool. */
    public void trust(X509Certificate certificate) { trust.pin(certificate); }

    /** Shuts a member with this certificate out of new connections, as when a host is ejected. */
    public void distrust(X509Certificate certificate) { trust.unpin(certificate); }

    public Set<X509Certificate> trusted() { return trust.pinned(); }

    /** The one configuration for Ratis's gRPC server, its client to other members, and its admin service. */
    GrpcTlsConfig grpcConfig() { return new GrpcTlsConfig(key, trust, true); }
}

package org.flotilla.raft;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer whose own certificate is one of the pinned ones, or has one of the fingerprints the pool lists,
 * and is in its validity period; nothing else.
 * An extended trust manager, so that the TLS engine leaves the whole decision here and does not add its own
 * check of the host name against the certificate (gRPC asks for the HTTPS one): members are reached by
 * address, and their certificates need not name it.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = {};

    private final Set<X509Certificate> pinned = ConcurrentHashMap.newKeySet();
    private final Supplier<Set<String>> listed;

    PinnedTrustManager(Collection<X509Certificate> certificates) { this(certificates, Set::of); }

    /** Trusting also any certificate whose SHA-256 fingerprint {@code listed} gives at the time of the handshake. */
    PinnedTrustManager(Collection<X509Certificate> certificates, Supplier<Set<String>> listed) {
        pinned.addAll(certificates);
        this.listed = listed;
    }

    void pin(X509Certificate certificate) { pinned.add(certificate); }

    void unpin(X509Certificate certificate) { pinned.remove(certificate); }

    Set<X509Certificate> pinned() { return Set.copyOf(pinned); }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the peer presented no certificate");
        X509Certificate peer = chain[0];
        if (!pinned.contains(peer) && !listed.get().contains(Fingerprint.sha256(peer))) {
            throw new CertificateException("not a pool member's certificate: " + peer.getSubjectX500Principal().getName());
        }
        peer.checkValidity();
    }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { check(chain); }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { check(chain); }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { check(chain); }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { check(chain); }

    /** None named: a member's certificate may be issued by anyone, and a peer that filtered by issuer would send none. */
    @Override public X509Certificate[] getAcceptedIssuers() { return NO_ISSUERS; }
}

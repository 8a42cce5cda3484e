package org.flotilla.daemon;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.flotilla.raft.Fingerprint;

/**
 * Trusts one server: the one whose certificate has the given SHA-256 fingerprint (as {@link Fingerprint} writes it),
 * in its validity period; whatever name it carries, since hosts are reached by address. Extended, so that the TLS
 * engine adds no host name check of its own.
 */
final class FingerprintTrust extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = {};

    private final String fingerprint;

    private FingerprintTrust(String fingerprint) { this.fingerprint = fingerprint; }

    /** A client's TLS that connects only to the server of that fingerprint. */
    static SSLContext context(String fingerprint) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {new FingerprintTrust(fingerprint)}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS", e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the server presented no certificate");
        if (!Fingerprint.sha256(chain[0]).equalsIgnoreCase(fingerprint.strip())) {
            throw new CertificateException("not the certificate host.migrate_receive named: " + chain[0].getSubjectX500Principal().getName());
        }
        chain[0].checkValidity();
    }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { check(chain); }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { check(chain); }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { throw new CertificateException("a client's trust only"); }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { checkClientTrusted(chain, authType); }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { checkClientTrusted(chain, authType); }

    @Override public X509Certificate[] getAcceptedIssuers() { return NO_ISSUERS; }
}

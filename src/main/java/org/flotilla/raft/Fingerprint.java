package org.flotilla.raft;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** A certificate's SHA-256 fingerprint: what the pool pins of each member, as XAPI's Certificate records hold it. */
public final class Fingerprint {
    private Fingerprint() {}

    /** SHA-256 of the DER certificate as colon-separated upper-case hex, the way {@code openssl x509 -fingerprint} shows it. */
    public static String sha256(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a certificate that cannot be encoded", e);
        }
    }
}

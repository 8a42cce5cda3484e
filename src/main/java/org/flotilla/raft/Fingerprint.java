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

    /** A SHA-256 fingerprint given in any spelling of its hex (either case, colons or none) as {@link #sha256} spells it. */
    public static String canonical(String fingerprint) {
        String hex = fingerprint.replace(":", "").strip();
        if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint: " + fingerprint);
        }
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(hex));
    }
}

package org.flotilla.raft;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A member's key and a self-signed certificate that names no host, no address: a member is pinned by its
 * certificate, so one that names nothing it is reached at must do.
 */
record SelfSignedMember(KeyPair keys, X509Certificate certificate) {
    static SelfSignedMember make(String name) { return make(name, Instant.now().plus(Duration.ofDays(30))); }

    static SelfSignedMember make(String name, Instant notAfter) {
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            var subject = new X500Name("CN=" + name);
            var now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(60))), Date.from(notAfter), subject, keys.getPublic());
            var signer = new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate());
            return new SelfSignedMember(keys, new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    MemberTls trusting(Collection<X509Certificate> pinned) {
        return new MemberTls(keys.getPrivate(), List.of(certificate), pinned);
    }
}

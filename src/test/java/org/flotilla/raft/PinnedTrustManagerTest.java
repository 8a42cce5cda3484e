package org.flotilla.raft;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class PinnedTrustManagerTest {
    private static final SelfSignedMember A = SelfSignedMember.make("a");
    private static final SelfSignedMember B = SelfSignedMember.make("b");
    /** The manager judges the certificate alone, whatever connection it came over. */
    private static final SSLEngine NO_ENGINE = null;

    private static X509Certificate[] chain(SelfSignedMember m) { return new X509Certificate[] {m.certificate()}; }

    @Test
    void trustsExactlyThePinnedCertificatesEitherWayAndFollowsChangesToThePins() {
        var trust = new PinnedTrustManager(List.of(A.certificate()));
        assertDoesNotThrow(() -> trust.checkServerTrusted(chain(A), "RSA", NO_ENGINE));
        assertDoesNotThrow(() -> trust.checkClientTrusted(chain(A), "RSA", NO_ENGINE));
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(chain(B), "RSA", NO_ENGINE));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(chain(B), "RSA"));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[0], "RSA"));

        trust.pin(B.certificate());
        assertDoesNotThrow(() -> trust.checkClientTrusted(chain(B), "RSA"));
        trust.unpin(A.certificate());
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(chain(A), "RSA"));
        assertEquals(Set.of(B.certificate()), trust.pinned());
        assertEquals(0, trust.getAcceptedIssuers().length, "no issuers named, so a peer never withholds its certificate");
    }

    @Test
    void anExpiredPinnedCertificateIsNotTrusted() {
        var expired = SelfSignedMember.make("expired", Instant.now().minus(Duration.ofDays(1)));
        var trust = new PinnedTrustManager(List.of(expired.certificate()));
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(chain(expired), "RSA"));
    }

    @Test
    void aMemberOffersItsOneKeyAndWholeChainWhateverIssuersThePeerNames() {
        var keys = new OwnKeyManager(A.keys().getPrivate(), List.of(A.certificate(), B.certificate()));
        String alias = keys.chooseEngineClientAlias(new String[] {"EC", "RSA"}, new Principal[] {B.certificate().getSubjectX500Principal()}, null);
        assertEquals(List.of(A.certificate(), B.certificate()), List.of(keys.getCertificateChain(alias)));
        assertEquals(A.keys().getPrivate(), keys.getPrivateKey(alias));
        assertEquals(alias, keys.chooseEngineServerAlias("RSA", null, null));
        assertEquals(null, keys.chooseEngineServerAlias("EC", null, null), "an RSA key for an EC suite");
    }
}

package org.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.XmlRpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCertificateTest {
    @TempDir
    Path dir;

    @Test
    void selfSignedCertificateNamesTheHostAndLastsTenYears() throws Exception {
        var made = HostCertificate.loadOrCreate(dir.resolve("state"), "host1.example", List.of("192.0.2.7", "mgmt.example"));
        var cert = made.certificate();
        assertEquals("CN=host1.example", cert.getSubjectX500Principal().getName());
        var sans = cert.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).collect(Collectors.toSet());
        assertTrue(sans.containsAll(Set.of("host1.example", "localhost", "127.0.0.1", "192.0.2.7", "mgmt.example")), sans.toString());
        var years = Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays() / 365;
        assertEquals(9, years, "about ten years");
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"));
        cert.verify(cert.getPublicKey()); // self-signed
        var pem = Files.readString(made.file());
        assertTrue(pem.contains("-----BEGIN PRIVATE KEY-----") && pem.contains("-----BEGIN CERTIFICATE-----"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made.file())));
        assertEquals(95, made.sha256Fingerprint().length());
    }

    @Test
    void anAdministratorsEcKeyAndChainReplaceTheOwnAndAreServed() throws Exception {
        var state = dir.resolve("state");
        var original = HostCertificate.loadOrCreate(state, "host1", List.of());
        var ca = keyPair("EC");
        var caCert = certificate("CN=Test CA", ca, "CN=Test CA", ca, true);
        var leafKeys = keyPair("EC");
        var leaf = certificate("CN=host1", leafKeys, "CN=Test CA", ca, false);
        // traditional "EC PRIVATE KEY", written after the chain, as some tools do
        writePem(state.resolve(HostCertificate.FILE_NAME), leaf, caCert, leafKeys);

        var replaced = HostCertificate.loadOrCreate(state, "host1", List.of());
        assertEquals(leaf, replaced.certificate());
        assertEquals(List.of(leaf, caCert), replaced.chain());
        assertNotEquals(original.certificate(), replaced.certificate());

        try (var server = new ApiServer(ApiServerTest.FAKE, replaced, ApiServerConfig.loopbackEphemeral())) {
            server.start();
            var client = RawHttp.trusting(caCert); // trusts the CA only: the chain must be served whole
            try (var socket = RawHttp.tls(client, server.httpsPort()); var http = new RawHttp(socket)) {
                assertEquals(leaf, socket.getSession().getPeerCertificates()[0]);
                assertEquals(2, socket.getSession().getPeerCertificates().length);
                var reply = http.post("/", new String(XmlRpc.writeCall(RpcCall.of("void")), java.nio.charset.StandardCharsets.UTF_8));
                assertEquals(200, reply.status());
            }
        }
    }

    @Test
    void loadsTraditionalAndPkcs8RsaKeys() throws Exception {
        for (boolean pkcs8 : new boolean[] {true, false}) {
            var keys = keyPair("RSA");
            var cert = certificate("CN=h", keys, "CN=h", keys, false);
            var file = dir.resolve("rsa-" + pkcs8 + ".pem");
            var text = new StringWriter();
            try (var pem = new JcaPEMWriter(text)) {
                pem.writeObject(pkcs8 ? new JcaPKCS8Generator(keys.getPrivate(), null) : keys);
                pem.writeObject(cert);
            }
            Files.writeString(file, text.toString());
            assertTrue(text.toString().contains(pkcs8 ? "BEGIN PRIVATE KEY" : "BEGIN RSA PRIVATE KEY"));
            assertEquals(cert, HostCertificate.load(file).certificate());
            HostCertificate.load(file).keyStore(); // builds
        }
    }

    @Test
    void refusesFilesThatCannotServe() throws Exception {
        var keys = keyPair("EC");
        var other = keyPair("EC");
        var cert = certificate("CN=h", other, "CN=h", other, false);
        var mismatched = dir.resolve("mismatched.pem");
        writePem(mismatched, cert, null, keys);
        assertThrows(IllegalStateException.class, () -> HostCertificate.load(mismatched));
        var keyOnly = dir.resolve("key-only.pem");
        var text = new StringWriter();
        try (var pem = new JcaPEMWriter(text)) { pem.writeObject(keys); }
        Files.writeString(keyOnly, text.toString());
        assertThrows(IllegalStateException.class, () -> HostCertificate.load(keyOnly));
    }

    private static KeyPair keyPair(String algorithm) throws Exception {
        // BouncyCastle's EC keys keep the curve inside the key encoding, as openssl's "EC PRIVATE KEY" files do
        var g = algorithm.equals("EC")
                ? KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider())
                : KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) g.initialize(new ECGenParameterSpec("secp256r1"));
        else g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca)
            throws Exception {
        var now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject),
                subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        var algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
    }

    private static void writePem(Path file, X509Certificate leaf, X509Certificate ca, KeyPair keys) throws Exception {
        var text = new StringWriter();
        try (var pem = new JcaPEMWriter(text)) {
            pem.writeObject(leaf);
            if (ca != null) pem.writeObject(ca);
            pem.writeObject(keys);
        }
        Files.writeString(file, text.toString());
    }
}

package org.flotilla.server;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The host's TLS identity, kept as XAPI keeps /etc/xensource/xapi-ssl.pem: one PEM file with the private key
 * and the certificate chain, readable by root only. Made self-signed at first start; an administrator may
 * replace the file with their own key (PKCS#8 or traditional RSA/EC) and chain, which is used from then on.
 */
public final class HostCertificate {
    public static final String FILE_NAME = "xapi-ssl.pem";
    private static final String ALIAS = "host";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final Path file;
    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final char[] keyStorePassword;

    private HostCertificate(Path file, PrivateKey key, List<X509Certificate> chain) {
        this.file = file;
        this.key = key;
        this.chain = List.copyOf(chain);
        // the key store lives only in memory: the password guards nothing, but the API demands one
        this.keyStorePassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(8)).toCharArray();
    }

    /**
     * Loads {@code <stateDir>/xapi-ssl.pem}, or makes a self-signed certificate for {@code hostName} there
     * first. The certificate names the host, localhost, 127.0.0.1, ::1 and each of {@code extraNames}
     * (host names or IP literals, such as the management address).
     */
    public static HostCertificate loadOrCreate(Path stateDir, String hostName, Collection<String> extraNames) {
        var file = stateDir.resolve(FILE_NAME);
        if (Files.exists(file)) return load(file);
        return create(file, hostName, extraNames);
    }

    /** Reads a PEM file holding one private key and its certificate chain, in any order. */
    public static HostCertificate load(Path file) {
        PrivateKey key = null;
        var certificates = new ArrayList<X509Certificate>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); var pem = new PEMParser(reader)) {
            var keys = new JcaPEMKeyConverter();
            var certs = new JcaX509CertificateConverter();
            for (Object o; (o = pem.readObject()) != null; ) {
                switch (o) {
                    case X509CertificateHolder c -> certificates.add(certs.getCertificate(c));
                    // only the private half: a traditional EC key may leave out its optional public key
                    case PEMKeyPair pair -> key = onlyKey(key, keys.getPrivateKey(pair.getPrivateKeyInfo()), file);
                    case PrivateKeyInfo info -> key = onlyKey(key, keys.getPrivateKey(info), file);
                    default -> throw new IllegalStateException(file + ": unsupported PEM object "
                            + o.getClass().getSimpleName() + " (an encrypted key needs decrypting first)");
                }
            }
        } catch (org.bouncycastle.openssl.PEMException e) {
            throw new IllegalStateException("bad key in " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("bad certificate in " + file, e);
        }
        if (key == null) throw new IllegalStateException(file + " holds no private key");
        if (certificates.isEmpty()) throw new IllegalStateException(file + " holds no certificate");
        return new HostCertificate(file, key, leafFirst(key, certificates, file));
    }

    /** Makes a new self-signed certificate and writes it to {@code file} (mode 0600), replacing what was there. */
    public static HostCertificate create(Path file, String hostName, Collection<String> extraNames) {
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048); // what XAPI makes; every client there is speaks it
            var pair = generator.generateKeyPair();
            var certificate = selfSigned(pair, hostName, extraNames);
            write(file, pair.getPrivate(), certificate);
            return new HostCertificate(file, pair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make a host certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static X509Certificate selfSigned(KeyPair pair, String hostName, Collection<String> extraNames)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostName).build();
        var now = Instant.now();
        var serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        var builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        var ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(hostName, extraNames));
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static GeneralNames subjectAltNames(String hostName, Collection<String> extraNames) {
        var names = new LinkedHashSet<String>();
        names.add(hostName);
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        names.addAll(extraNames);
        return new GeneralNames(names.stream().filter(n -> n != null && !n.isBlank()).map(HostCertificate::generalName)
                .toArray(GeneralName[]::new));
    }

    private static GeneralName generalName(String name) {
        try {
            // ofLiteral never resolves: a host name must not cost a DNS lookup here
            return new GeneralName(GeneralName.iPAddress, InetAddress.ofLiteral(name).getHostAddress());
        } catch (IllegalArgumentException notAnAddress) {
            return new GeneralName(GeneralName.dNSName, name);
        }
    }

    private static void write(Path file, PrivateKey key, X509Certificate certificate) throws IOException {
        var text = new StringWriter();
        try (var pem = new JcaPEMWriter(text)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
            pem.writeObject(certificate);
        }
        var dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // created 0600 before a byte is written, then moved into place whole
        var temp = Files.createTempFile(dir, FILE_NAME, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text.toString(), StandardCharsets.US_ASCII);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static PrivateKey onlyKey(PrivateKey previous, PrivateKey next, Path file) {
        if (previous != null) throw new IllegalStateException(file + " holds more than one private key");
        return next;
    }

    /** The chain with the key's own certificate first, then the rest in file order. */
    private static List<X509Certificate> leafFirst(PrivateKey key, List<X509Certificate> certificates, Path file) {
        var leaf = certificates.stream().filter(c -> matches(key, c)).findFirst()
                .orElseThrow(() -> new IllegalStateException(file + ": no certificate matches the private key"));
        var chain = new ArrayList<X509Certificate>();
        chain.add(leaf);
        certificates.stream().filter(c -> c != leaf).forEach(chain::add);
        return chain;
    }

    /** Whether the certificate is the key's: sign a probe with the key and verify it with the certificate. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        var algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) return false;
        try {
            var probe = "flotilla".getBytes(StandardCharsets.US_ASCII);
            var signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            var signature = signer.sign();
            var verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) { // a certificate for another kind of key
            return false;
        }
    }

    /** A fresh in-memory key store with the key and chain, for the TLS connector. */
    public KeyStore keyStore() {
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, keyStorePassword, chain.toArray(X509Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the key store", e);
        }
    }

    public String keyStorePassword() { return new String(keyStorePassword); }

    /** The host's own certificate (the chain's first). */
    public X509Certificate certificate() { return chain.getFirst(); }

    public List<X509Certificate> chain() { return chain; }

    public Path file() { return file; }

    /** SHA-256 of the DER certificate as colon-separated upper-case hex, the way {@code openssl x509 -fingerprint} shows it. */
    public String sha256Fingerprint() { return org.flotilla.raft.Fingerprint.sha256(certificate()); }

    /** This host's identity among the pool's members, trusting those whose fingerprints {@code members} gives. */
    public org.flotilla.raft.MemberTls memberTls(java.util.function.Supplier<java.util.Set<String>> members) {
        return new org.flotilla.raft.MemberTls(key, chain, List.of(certificate()), members);
    }
}

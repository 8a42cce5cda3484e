package org.flotilla.runtime.migration;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.DHParameter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.params.DHParameters;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.flotilla.model.ApiError;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.QemuFiles;

/**
 * One side's TLS identity for one migration, which the VM's QEMU speaks itself on its memory stream and its disks'
 * NBD connections: a key made for this migration alone and a self-signed certificate of it. The two sides swap
 * their certificates over the daemons' own calls (prepare and its answer, which travel over the pool's pinned TLS, or
 * the other pool's API), and each QEMU trusts the other's certificate and nothing else. So QEMU never holds the host's
 * key — a QEMU that a guest took over learns a key good for one migration of its own VM — and no daemon carries the
 * bytes.
 */
final class QemuTls {
    private static final System.Logger LOG = System.getLogger(QemuTls.class.getName());
    /** The name both certificates carry and the client checks the server's against (QEMU's tls-hostname). */
    static final String NAME = "flotilla-migration";
    /** Wide enough for the clocks of two hosts that disagree; the key is used once. */
    private static final Duration SKEW = Duration.ofDays(1);
    /**
     * The finite-field group a serving end may use for DHE (RFC 7919's ffdhe2048, which TLS 1.3 names too). Without a
     * {@code dh-params.pem} QEMU's server end generates a 2048-bit group of its own as it loads its credentials, which
     * took 85-1700 ms here on two busy cores, all of it in the destination's prepare; the handshakes QEMU makes with
     * these EC keys use ECDHE anyway.
     */
    private static final String DH_PARAMS = dhParams(DHStandardGroups.rfc7919_ffdhe2048);
    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final KeyPair pair;
    private final String certificate;

    private QemuTls(KeyPair pair, String certificate) {
        this.pair = pair;
        this.certificate = certificate;
    }

    /** Which end of the TLS connections QEMU is: the destination serves, the source connects. */
    enum End {
        SERVER, CLIENT;

        String qemuName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    static QemuTls make() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            var name = new X500Name("CN=" + NAME);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(SKEW)), Date.from(now.plus(SKEW)), name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, NAME)));
            X509CertificateHolder cert = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            return new QemuTls(pair, pem(cert));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw ApiError.internal("cannot make the migration's TLS key: " + e.getMessage());
        }
    }

    /** The certificate, in PEM, for the other side. */
    String certificate() { return certificate; }

    /** Whether {@code pem} is one certificate in PEM, as the other side must send: nothing else reaches QEMU's files. */
    static String requireCertificate(String pem) {
        try (var parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            if (parser.readObject() instanceof X509CertificateHolder c && parser.readObject() == null) return pem(c);
        } catch (IOException | RuntimeException e) {
            // refused below
        }
        throw ApiError.of("INVALID_VALUE", "certificate", "not one certificate in PEM");
    }

    /**
     * Gives {@code d}'s QEMU a {@code tls-creds-x509} object {@code id}: this key and certificate, as {@code end}, the
     * peer made to show {@code peer}. The files exist only while QEMU reads them, in its run directory and its own.
     */
    void install(Domain d, String id, End end, String peer) throws IOException {
        Path dir = d.runDir.resolve(id);
        HostFiles.deleteTree(dir);
        try {
            Path files = writeFiles(dir, end, peer);
            try (var each = Files.list(files)) {
                for (Path f : each.toList()) QemuFiles.give(f, d.uid);
            }
            QemuFiles.give(files, d.uid);
            // sanity-check would want a CA of its own above each certificate: here each side trusts the other's own
            d.qmp.execute("object-add", Map.of("qom-type", "tls-creds-x509", "id", id, "endpoint", end.qemuName(),
                    "dir", QemuCommand.JAILED.resolve(id).toString(), "verify-peer", true, "sanity-check", false));
        } finally {
            HostFiles.deleteTree(dir);
        }
    }

    /**
     * The same files in a new temporary directory of root's alone, for a program of QEMU's the daemon runs as root
     * (qemu-img, qemu-storage-daemon); the caller deletes it once the program has read them.
     */
    Path writeTempFiles(End end, String peer) throws IOException {
        Path dir = Files.createTempDirectory("flotilla-tls-", OWNER_ONLY);
        try {
            return writeInto(dir, end, peer);
        } catch (IOException | RuntimeException e) {
            HostFiles.deleteTree(dir);
            throw e;
        }
    }

    /**
     * Writes, into a new directory {@code dir} of its owner's alone, the files a {@code tls-creds-x509} object reads:
     * this key and certificate as {@code end}, and {@code peer} as the one certificate it trusts. Returns {@code dir}.
     */
    private Path writeFiles(Path dir, End end, String peer) throws IOException {
        return writeInto(Files.createDirectory(dir, OWNER_ONLY), end, peer);
    }

    private Path writeInto(Path dir, End end, String peer) throws IOException {
        write(dir.resolve("ca-cert.pem"), requireCertificate(peer));
        write(dir.resolve(end.qemuName() + "-cert.pem"), certificate);
        write(dir.resolve(end.qemuName() + "-key.pem"), pem(new PemObject("PRIVATE KEY", keyWithItsPublicHalf().getEncoded())));
        if (end == End.SERVER) write(dir.resolve("dh-params.pem"), DH_PARAMS);
        return dir;
    }

    /** The key in PKCS#8 with its public point inside, which GnuTLS wants and the JDK's own encoding leaves out. */
    private PrivateKeyInfo keyWithItsPublicHalf() throws IOException {
        var pub = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        var curve = pub.getAlgorithm().getParameters();
        var key = new ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS(), pub.getPublicKeyData(), curve);
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key);
    }

    /**
     * {@code d}'s QEMU keeps no trace of a migration's TLS: its migration parameters name no credentials, which a later
     * stream of its memory into a file (a suspend, a checkpoint) would otherwise be refused for, and the object
     * {@code id} is gone.
     */
    static void forget(Domain d, String id) {
        try {
            d.qmp.execute("migrate-set-parameters", Map.of("tls-creds", "", "tls-hostname", ""));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "resetting the migration's TLS of " + d.uuid + ": " + e.getMessage());
        }
        remove(d, id);
    }

    /** Takes the object away from {@code d}'s QEMU, if it is there. */
    static void remove(Domain d, String id) {
        try {
            d.qmp.execute("object-del", Map.of("id", id));
        } catch (IOException e) {
            // not there, or the QEMU is gone
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    }

    /** {@code group} in PKCS#3 PEM, as GnuTLS reads DH parameters. */
    private static String dhParams(DHParameters group) {
        try {
            return pem(new PemObject("DH PARAMETERS", new DHParameter(group.getP(), group.getG(), 0).getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) throws IOException {
        var out = new StringWriter();
        try (var w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}

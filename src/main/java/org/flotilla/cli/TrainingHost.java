package org.flotilla.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A stand-in host on the loopback for {@link XeTraining}, so that xe's ahead-of-time cache holds the HTTPS path even
 * when the first command went by this host's socket (and its daemon serves on a port xe is not told): TLS with a
 * throwaway RSA key, as a host's own certificate is, and one {@code /cli} request answered with exit code 0. Made for
 * the recorded run only; the key lives in this process's memory and nowhere else.
 */
final class TrainingHost implements AutoCloseable {
    /** RSA as a host's own key is; 1024 bits, the least the JDK's certificate rules accept: the recorded run computes it cold. */
    private static final int KEY_BITS = 1024;
    private static final int ANSWER_WITHIN_MS = 5_000;
    private static final byte[] SHA256_WITH_RSA = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};

    private final SSLServerSocket server;
    private final Thread answering;

    private TrainingHost(SSLServerSocket server) {
        this.server = server;
        this.answering = Thread.ofPlatform().daemon().start(this::answer);
    }

    static TrainingHost start() throws IOException, GeneralSecurityException { return start(null); }

    /** {@code offer}: the TLS parameters this host takes (tests narrow them), or null for the JDK's. */
    static TrainingHost start(SSLParameters offer) throws IOException, GeneralSecurityException {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(KEY_BITS);
        KeyPair pair = generator.generateKeyPair();
        X509Certificate certificate = selfSigned(pair);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {new OneKey(pair.getPrivate(), certificate)}, null, null);
        var server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        if (offer != null) server.setSSLParameters(offer);
        return new TrainingHost(server);
    }

    int port() { return server.getLocalPort(); }

    /**
     * Answers every connection until closed, one at a time, each given a few seconds: whoever else on this machine
     * connects first delays the training by no more than that (a handshake that fails makes xe connect again, too).
     */
    private void answer() {
        while (!server.isClosed()) {
            try (Socket s = server.accept(); InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
                s.setSoTimeout(ANSWER_WITHIN_MS);
                int length = 0;
                for (String h; !(h = CliHttps.line(in)).isEmpty(); ) {
                    if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
                }
                in.readNBytes(length);
                var reply = new ByteArrayOutputStream();
                CliWire.writeExit(reply, 0);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + CliWire.CONTENT_TYPE + "\r\nContent-Length: " + reply.size()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                reply.writeTo(out);
            } catch (IOException | RuntimeException e) {
                // a handshake xe will try again, a caller that went away, or the host closed
            }
        }
    }

    /** A version 1 certificate for {@code pair}, signed by itself: xe takes any certificate, as it takes a host's. */
    private static X509Certificate selfSigned(KeyPair pair) throws GeneralSecurityException {
        byte[] name = der(0x30, der(0x31, der(0x30, der(0x06, new byte[] {0x55, 0x04, 0x03}), der(0x0c, ascii("xe training")))));
        byte[] validity = der(0x30, der(0x17, ascii("250101000000Z")), der(0x17, ascii("491231000000Z")));
        byte[] tbs = der(0x30, der(0x02, BigInteger.ONE.toByteArray()), SHA256_WITH_RSA, name, validity, name, pair.getPublic().getEncoded());
        var signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] certificate = der(0x30, tbs, SHA256_WITH_RSA, der(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate));
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** One DER element: its tag, its length (short or long form) and its contents. */
    private static byte[] der(int tag, byte[]... parts) {
        var body = new ByteArrayOutputStream();
        for (byte[] p : parts) body.writeBytes(p);
        var out = new ByteArrayOutputStream();
        out.write(tag);
        int n = body.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            answering.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's one key and certificate. */
    private static final class OneKey extends X509ExtendedKeyManager {
        private static final String ALIAS = "xe";
        private final PrivateKey key;
        private final X509Certificate certificate;

        OneKey(PrivateKey key, X509Certificate certificate) {
            this.key = key;
            this.certificate = certificate;
        }

        @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) { return ALIAS; }
        @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return ALIAS; }
        @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return new String[] {ALIAS}; }
        @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return null; }
        @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return null; }
        @Override public X509Certificate[] getCertificateChain(String alias) { return new X509Certificate[] {certificate}; }
        @Override public PrivateKey getPrivateKey(String alias) { return key; }
    }
}

package org.flotilla.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets that offer one key share (X25519) where the JDK offers two (X25519 and P-256): a fresh JVM computes each
 * share interpreted, and the second costs a short-lived xe about a fifth of its time. A host that will not take X25519
 * fails the handshake, and xe tries again with the JDK's defaults.
 */
final class OneKeyShare extends SSLSocketFactory {
    private static final String[] GROUPS = {"x25519"};
    private final SSLSocketFactory tls;

    OneKeyShare(SSLSocketFactory tls) { this.tls = tls; }

    private static Socket offered(Socket s) {
        if (s instanceof SSLSocket ssl) {
            var params = ssl.getSSLParameters();
            params.setNamedGroups(GROUPS);
            ssl.setSSLParameters(params);
        }
        return s;
    }

    @Override public Socket createSocket() throws IOException { return offered(tls.createSocket()); }
    @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return offered(tls.createSocket(s, host, port, autoClose));
    }
    @Override public Socket createSocket(String host, int port) throws IOException { return offered(tls.createSocket(host, port)); }
    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return offered(tls.createSocket(host, port, local, localPort));
    }
    @Override public Socket createSocket(InetAddress host, int port) throws IOException { return offered(tls.createSocket(host, port)); }
    @Override public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return offered(tls.createSocket(host, port, local, localPort));
    }
    @Override public String[] getDefaultCipherSuites() { return tls.getDefaultCipherSuites(); }
    @Override public String[] getSupportedCipherSuites() { return tls.getSupportedCipherSuites(); }
}

package org.flotilla.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * One xe command line POSTed to a host's {@code /cli}, on a connection of its own, as one HTTP/1.1 request written
 * here. The JDK's HttpsURLConnection would do the same with its protocol handlers, proxy selection and keep-alive cache
 * set up first, which a process that sends one request and exits pays for on every command (about a tenth of its time).
 */
final class CliHttps implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /**
     * What xe offers first: TLS 1.3's X25519 key share and its AES-128-GCM suite, the pair every TLS 1.3 host takes.
     * A fresh JVM runs the handshake's arithmetic mostly interpreted: the JDK would also compute a P-256 key share
     * (a P-256 handshake took 1.4 s of CPU interpreted, X25519's a small part of that), and its first suite,
     * AES-256/SHA-384, cost a command about 15 ms more CPU than AES-128/SHA-256. 128-bit AES matches the strength
     * X25519 gives the session in any case.
     */
    private static final String[] ONE_KEY_SHARE = {"x25519"};
    private static final String[] ONE_CIPHER_SUITE = {"TLS_AES_128_GCM_SHA256"};
    private static final int MAX_HEADER_LINE = 8192;

    private final Socket socket;
    private final InputStream in;

    private CliHttps(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** The host's reply to {@code body}: its status, content type and body. */
    record Reply(int status, String contentType, InputStream body) {}

    /**
     * Connects to the host the options name, with TLS unless they say nossl. The host's certificate is taken as
     * {@link AnyCertificate} takes it; a host that will not take what xe offers first fails that handshake, and xe
     * connects again offering the JDK's defaults (nothing was sent yet).
     */
    static CliHttps open(GlobalOptions options) throws IOException {
        if (!options.tls()) return new CliHttps(connect(options));
        try {
            return new CliHttps(handshake(options, true));
        } catch (SSLHandshakeException e) {
            return new CliHttps(handshake(options, false));
        }
    }

    private static Socket connect(GlobalOptions options) throws IOException {
        var s = new Socket();
        try {
            s.connect(new InetSocketAddress(options.server(), options.effectivePort()), CONNECT_TIMEOUT_MS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static SSLSocket handshake(GlobalOptions options, boolean oneKeyShare) throws IOException {
        Socket plain = connect(options);
        var tls = (SSLSocket) AnyCertificate.context().getSocketFactory()
                .createSocket(plain, options.server(), options.effectivePort(), true);
        try {
            if (oneKeyShare) {
                var params = tls.getSSLParameters();
                params.setNamedGroups(ONE_KEY_SHARE);
                params.setCipherSuites(ONE_CIPHER_SUITE);
                tls.setSSLParameters(params);
            }
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            tls.close();
            throw e;
        }
    }

    /** POSTs {@code body} to {@code /cli} and reads the reply's head; the body is left to read. */
    Reply post(GlobalOptions options, byte[] body) throws IOException {
        String server = options.server();
        String host = server.contains(":") && !server.startsWith("[") ? "[" + server + "]" : server;
        String head = "POST " + CliWire.PATH + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + options.effectivePort() + "\r\n"
                + "Content-Type: " + CliWire.CONTENT_TYPE + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        var request = new ByteArrayOutputStream(head.length() + body.length);
        request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        OutputStream out = socket.getOutputStream();
        request.writeTo(out);  // one write: one TLS record
        out.flush();
        return readReply();
    }

    private Reply readReply() throws IOException {
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP reply: " + status);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP reply: " + status);
        }
        String contentType = null;
        boolean chunked = false;
        for (String h; !(h = line()).isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-type" -> contentType = value;
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                default -> { }
            }
        }
        // Connection: close, so an unchunked body ends where the stream does
        return new Reply(code, contentType, chunked ? new ByteArrayInputStream(unchunked()) : in);
    }

    /** A chunked body, whole: the host buffers a command's output before it replies, so nothing streams here. */
    private byte[] unchunked() throws IOException {
        var body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int semicolon = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a bad chunk size: " + size);
            }
            if (n < 0 || n > Integer.MAX_VALUE - 8 - body.size()) throw new IOException("a reply chunk of " + n + " bytes");
            if (n == 0) break;
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) throw new IOException("the host's reply broke off");
            body.writeBytes(chunk);
            line();
        }
        while (!line().isEmpty()) { }  // trailers
        return body.toByteArray();
    }

    private String line() throws IOException { return line(in); }

    /** One line of an HTTP head, without its CRLF. */
    static String line(InputStream in) throws IOException {
        var b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("the host's reply broke off");
            if (b.length() >= MAX_HEADER_LINE) throw new IOException("an HTTP header line too long");
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException { socket.close(); }
}

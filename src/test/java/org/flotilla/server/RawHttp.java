package org.flotilla.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A deliberately dumb HTTP/1.1 client over one socket, so tests see the exact bytes of headers and can tell
 * that several requests really share a connection.
 */
final class RawHttp implements AutoCloseable {
    record Reply(int status, Map<String, String> headers, byte[] body) {
        String header(String name) { return headers.get(name.toLowerCase()); }

        String text() { return new String(body, UTF_8); }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static SSLContext trusting(X509Certificate certificate) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("server", certificate);
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        var context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    static SSLSocket tls(SSLContext context, int port, String... protocols) throws IOException {
        var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        if (protocols.length > 0) socket.setEnabledProtocols(protocols);
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        return socket;
    }

    Reply post(String path, String body) throws IOException { return send("POST", path, Map.of(), body.getBytes(UTF_8)); }

    Reply send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        sendHead(method, path, headers, body == null ? -1 : body.length);
        if (body != null) out.write(body);
        out.flush();
        return read();
    }

    void sendHead(String method, String path, Map<String, String> headers, long length) throws IOException {
        var head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        if (!headers.containsKey("Host")) head.append("Host: 127.0.0.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (length >= 0) head.append("Content-Length: ").append(length).append("\r\n");
        head.append("\r\n");
        out.write(head.toString().getBytes(ISO_8859_1));
        out.flush();
    }

    OutputStream output() { return out; }

    Reply read() throws IOException {
        var status = lineOrNull();
        if (status == null) throw new java.io.EOFException("connection closed before a reply");
        if (!status.startsWith("HTTP/1.")) throw new IOException("not an HTTP reply: " + status);
        var headers = new LinkedHashMap<String, String>();
        for (String l; !(l = line()).isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(), l.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            var all = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
                all.write(in.readNBytes(size));
                line();
            }
            line();
            body = all.toByteArray();
        } else {
            body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        }
        return new Reply(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    /** Whether the server has closed the connection (reads EOF). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        var l = lineOrNull();
        if (l == null) throw new java.io.EOFException("connection closed mid-reply");
        return l;
    }

    private String lineOrNull() throws IOException {
        var buf = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                var s = buf.toString(ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(c);
        }
        return buf.size() == 0 ? null : buf.toString(ISO_8859_1);
    }

    @Override
    public void close() throws IOException { socket.close(); }
}

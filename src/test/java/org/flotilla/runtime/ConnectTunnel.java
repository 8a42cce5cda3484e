package org.flotilla.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/** A console reached by a CONNECT request over TLS, as XenCenter and Xen Orchestra send it, with its reply's status line read. */
record ConnectTunnel(SSLSocket socket, String status) implements AutoCloseable {
    /** Sends {@code CONNECT <target>} to the API's port, the session as a cookie unless {@code sessionCookie} is null. */
    static ConnectTunnel open(int port, String target, String sessionCookie, Duration timeout) throws Exception {
        var socket = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout((int) timeout.toMillis());
        String cookie = sessionCookie == null ? "" : "Cookie: session_id=" + sessionCookie + "\r\n";
        socket.getOutputStream().write(("CONNECT " + target + " HTTP/1.0\r\n" + cookie + "\r\n").getBytes(StandardCharsets.US_ASCII));
        var head = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        return new ConnectTunnel(socket, head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
    }

    @Override public void close() throws IOException { socket.close(); }
}

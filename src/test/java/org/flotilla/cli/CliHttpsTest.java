package org.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * xe's own HTTP/1.1 request to a host's {@code /cli}: against a real TLS server that will not take what xe offers
 * first, a host that does not run xe's commands, and a reply in chunks.
 */
@Timeout(120)
class CliHttpsTest {
    private static GlobalOptions at(int port, boolean tls) {
        return new GlobalOptions("127.0.0.1", port, "root", "pw", tls, false, List.of("host-list"), true);
    }

    @Test
    void xeCoversTheHandshakeItsTrainingRecords() throws Exception {
        try (var host = TrainingHost.start()) {
            var out = new ByteArrayOutputStream();
            assertEquals(0, XeClient.remote(at(host.port(), true), new PrintStream(out), new PrintStream(out), handOver -> 42));
            assertEquals("", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aHostThatTakesNeitherX25519NorAes128IsReachedWithTheJdksDefaults() throws Exception {
        var narrow = new SSLParameters(new String[] {"TLS_AES_256_GCM_SHA384"}, new String[] {"TLSv1.3"});
        narrow.setNamedGroups(new String[] {"secp256r1"});
        try (var host = TrainingHost.start(narrow)) {
            var out = new ByteArrayOutputStream();
            assertEquals(0, XeClient.remote(at(host.port(), true), new PrintStream(out), new PrintStream(out), handOver -> 42));
        }
    }

    @Test
    void aHostWithoutCliHasTheWholeOfXeRunHere() throws Exception {
        assertEquals(42, againstPlainHost("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), null));
    }

    /** Only the host's own socket hands a command over; a remote host naming another host and a session is not followed. */
    @Test
    void aRemoteHostsHandOverIsIgnoredAndTheCommandRunsHereAsTheUserSaid() throws Exception {
        var frames = new ByteArrayOutputStream();
        CliWire.writeFrame(frames, CliWire.ON_CLIENT, new CliWire.HandOver("192.0.2.9", 443, "OpaqueRef:elsewhere").encode());
        byte[] body = frames.toByteArray();
        var reply = new ByteArrayOutputStream();
        reply.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: " + CliWire.CONTENT_TYPE + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        reply.writeBytes(body);
        assertEquals(42, againstPlainHost(reply.toByteArray(), null));
    }

    @Test
    void aChunkedReplyIsReadWhole() throws Exception {
        var frames = new ByteArrayOutputStream();
        CliWire.writeFrame(frames, CliWire.STDOUT, "hello\n".getBytes(StandardCharsets.UTF_8));
        CliWire.writeExit(frames, 3);
        byte[] body = frames.toByteArray();
        var reply = new ByteArrayOutputStream();
        reply.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: " + CliWire.CONTENT_TYPE + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (int at = 0; at < body.length; at += 4) {  // chunks that split frames
            int n = Math.min(4, body.length - at);
            reply.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            reply.write(body, at, n);
            reply.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        reply.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        var out = new ByteArrayOutputStream();
        assertEquals(3, againstPlainHost(reply.toByteArray(), out));
        assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
    }

    /** xe --nossl against a host that answers {@code reply} to whatever it is sent; returns xe's exit code (42: run here). */
    private static int againstPlainHost(byte[] reply, ByteArrayOutputStream out) throws IOException {
        try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var request = new StringBuilder();
            Thread host = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream o = s.getOutputStream()) {
                    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) request.append(line).append('\n');
                    o.write(reply);
                } catch (IOException e) {
                    request.append(e);
                }
            });
            var sink = out != null ? out : new ByteArrayOutputStream();
            int code = XeClient.remote(at(server.getLocalPort(), false), new PrintStream(sink, true), new PrintStream(sink, true),
                    handOver -> handOver == null ? 42 : 99);
            host.join();
            assertEquals("POST /cli HTTP/1.1", request.toString().lines().findFirst().orElse(""));
            return code;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

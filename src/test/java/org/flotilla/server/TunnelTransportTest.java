package org.flotilla.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.flotilla.api.HttpTask;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two transports of a tunnel on the API's port, against a unix socket server of the test's own that greets
 * each connection, echoes what it reads, and hangs up on "bye": HTTP CONNECT over TLS (the head parsed before
 * Jetty's HTTP parser, the session from the query or a cookie) and WebSocket binary frames; refusals; both sides
 * closed when either ends. RPC on the same port keeps working.
 */
class TunnelTransportTest {
    static final String SESSION = "OpaqueRef:good";
    static final String ALLOWED_ORIGIN = "https://xo.example.com:8443";
    @TempDir Path dir;
    ApiServer server;
    SSLContext client;
    ServerSocketChannel upstream;
    final BlockingQueue<String> upstreamEvents = new LinkedBlockingQueue<>();
    final BlockingQueue<String> taskEnds = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        upstream = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(dir.resolve("up.sock")));
        Thread.ofVirtual().start(this::serveUpstream);
        var certificate = HostCertificate.loadOrCreate(dir, "flotilla-test", List.of());
        server = new ApiServer(ApiServerTest.FAKE, certificate, ApiServerConfig.loopbackEphemeral().withAllowedOrigins(Set.of(ALLOWED_ORIGIN)));
        server.addTunnel("/tunnel", this::open);
        server.start();
        client = RawHttp.trusting(certificate.certificate());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    TunnelOutcome open(TunnelRequest r) {
        if (!SESSION.equals(r.sessionId())) return new TunnelOutcome.Refused(401, "no valid session_id");
        try {
            var channel = SocketChannel.open(upstream.getLocalAddress());
            return r.taskId() == null ? new TunnelOutcome.Opened(channel) : new TunnelOutcome.Opened(channel, new RecordedTask(r.taskId()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stream's task, whose end is written to {@link #taskEnds} as "<task_id> <how>". */
    final class RecordedTask implements HttpTask {
        final String id;

        RecordedTask(String id) { this.id = id; }

        @Override public Ref<Task> ref() { return Task.CLASS.ref(id); }
        @Override public void progress(double fraction) { }
        @Override public void checkCancelled() { }
        @Override public void success() { taskEnds.add(id + " success"); }
        @Override public void success(Object result) { taskEnds.add(id + " success " + result); }
        @Override public void failure(ApiError error) { taskEnds.add(id + " failure " + error.code()); }
    }

    private void serveUpstream() {
        try {
            while (true) {
                SocketChannel c = upstream.accept();
                Thread.ofVirtual().start(() -> echo(c));
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    private void echo(SocketChannel c) {
        try (c) {
            c.write(ByteBuffer.wrap("HELLO\n".getBytes(ISO_8859_1)));
            var buf = ByteBuffer.allocate(4096);
            while (c.read(buf.clear()) >= 0) {
                String text = new String(buf.array(), 0, buf.position(), ISO_8859_1);
                if (text.contains("bye")) {
                    upstreamEvents.add("hung up");
                    return;
                }
                c.write(buf.flip());
            }
            upstreamEvents.add("client gone");
        } catch (IOException e) {
            upstreamEvents.add("client gone");
        }
    }

    record Tunnel(SSLSocket socket, String head) {
        String read(int n) throws IOException { return new String(socket.getInputStream().readNBytes(n), ISO_8859_1); }

        void write(String s) throws IOException { socket.getOutputStream().write(s.getBytes(ISO_8859_1)); }
    }

    Tunnel connect(String request) throws IOException {
        var socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.httpsPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(request.getBytes(ISO_8859_1));
        var head = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        return new Tunnel(socket, head.toString(ISO_8859_1));
    }

    @Test
    void connectCarriesBytesBothWaysUntilUpstreamHangsUp() throws Exception {
        var t = connect("CONNECT /tunnel?uuid=x&session_id=" + SESSION + " HTTP/1.0\r\nHost: h\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nCache-Control: no-cache, no-store\r\n\r\n", t.head());
        assertEquals("HELLO\n", t.read(6));
        t.write("ping");
        assertEquals("ping", t.read(4));
        t.write("bye");
        assertEquals("hung up", upstreamEvents.poll(20, TimeUnit.SECONDS));
        assertEquals(-1, t.socket().getInputStream().read(), "the client's side is closed too");
    }

    @Test
    void connectWithSessionCookieAndBytesSentWithTheHead() throws Exception {
        var t = connect("CONNECT /tunnel?uuid=x HTTP/1.1\r\nCookie: other=1; session_id=" + SESSION + "\r\n\r\nearly");
        assertTrue(t.head().startsWith("HTTP/1.1 200 OK\r\n"), t.head());
        assertEquals("HELLO\nearly", t.read(11));
        t.socket().close();
        assertEquals("client gone", upstreamEvents.poll(20, TimeUnit.SECONDS), "the upstream is closed when the client goes");
    }

    @Test
    void connectRefusals() throws Exception {
        for (var request : List.of("CONNECT /tunnel?uuid=x HTTP/1.0\r\n\r\n", "CONNECT /tunnel?session_id=OpaqueRef:bad HTTP/1.0\r\n\r\n")) {
            var t = connect(request);
            assertTrue(t.head().startsWith("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n"), t.head());
            assertEquals(-1, t.socket().getInputStream().read(), "nothing more, and closed");
        }
        assertTrue(connect("CONNECT /elsewhere?session_id=" + SESSION + " HTTP/1.0\r\n\r\n").head().startsWith("HTTP/1.1 404 "));
        assertTrue(connect("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n").head().startsWith("HTTP/1.1 400 "));
        assertTrue(upstreamEvents.isEmpty(), "nothing reached the upstream");
        // the same port still serves RPC
        try (var http = new RawHttp(RawHttp.tls(client, server.httpsPort()))) {
            assertEquals(200, http.post("/", "<methodCall><methodName>void</methodName><params/></methodCall>").status());
        }
    }

    /** A JDK WebSocket's binary messages, queued as text. */
    static final class Listener implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override public void onOpen(WebSocket ws) { ws.request(1); }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            received.add(ISO_8859_1.decode(data).toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status);
            return null;
        }

        String next() throws InterruptedException { return received.poll(20, TimeUnit.SECONDS); }
    }

    CompletableFuture<WebSocket> webSocket(String target, Listener listener) {
        var params = new javax.net.ssl.SSLParameters();
        params.setEndpointIdentificationAlgorithm(null);
        return HttpClient.newBuilder().sslContext(client).sslParameters(params).build().newWebSocketBuilder()
                .subprotocols("binary").buildAsync(URI.create("wss://127.0.0.1:" + server.httpsPort() + target), listener);
    }

    @Test
    void webSocketCarriesBinaryFramesUntilUpstreamHangsUp() throws Exception {
        var listener = new Listener();
        WebSocket ws = webSocket("/tunnel?uuid=x&session_id=" + SESSION, listener).join();
        assertEquals("binary", ws.getSubprotocol());
        assertEquals("HELLO\n", listener.next());
        ws.sendBinary(ByteBuffer.wrap("ping".getBytes(ISO_8859_1)), true).join();
        assertEquals("ping", listener.next());
        ws.sendBinary(ByteBuffer.wrap("bye".getBytes(ISO_8859_1)), true).join();
        assertEquals("hung up", upstreamEvents.poll(20, TimeUnit.SECONDS));
        assertEquals(1000, listener.closed.get(20, TimeUnit.SECONDS));
    }

    @Test
    void webSocketClosedByClientClosesUpstreamAndRefusalsAreHttpStatuses() throws Exception {
        var listener = new Listener();
        WebSocket ws = webSocket("/tunnel", "session_id=" + SESSION, listener);
        assertEquals("HELLO\n", listener.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        assertEquals("client gone", upstreamEvents.poll(20, TimeUnit.SECONDS));

        var refused = assertThrows(CompletionException.class, () -> webSocket("/tunnel?session_id=OpaqueRef:bad", new Listener()).join());
        assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        assertTrue(upstreamEvents.isEmpty(), "nothing reached the upstream");
    }

    WebSocket webSocket(String target, String cookie, Listener listener) { return webSocket(target, cookie, null, listener).join(); }

    /** A WebSocket with the session cookie, as a browser opens it from a page of {@code origin} (null: no browser). */
    CompletableFuture<WebSocket> webSocket(String target, String cookie, String origin, Listener listener) {
        var params = new javax.net.ssl.SSLParameters();
        params.setEndpointIdentificationAlgorithm(null);
        var builder = HttpClient.newBuilder().sslContext(client).sslParameters(params).build().newWebSocketBuilder()
                .header("Cookie", cookie).subprotocols("binary");
        if (origin != null) builder.header("Origin", origin);
        return builder.buildAsync(URI.create("wss://127.0.0.1:" + server.httpsPort() + target), listener);
    }

    @Test
    void webSocketsFromPagesOfOtherSitesAreRefusedWhateverTheCookie() throws Exception {
        var refused = assertThrows(CompletionException.class,
                () -> webSocket("/tunnel", "session_id=" + SESSION, "https://evil.example", new Listener()).join());
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        Thread.sleep(200);
        assertTrue(upstreamEvents.isEmpty(), "nothing reached the upstream");

        for (String origin : new String[] {null, "https://127.0.0.1:" + server.httpsPort(), ALLOWED_ORIGIN}) {
            var listener = new Listener();
            WebSocket ws = webSocket("/tunnel", "session_id=" + SESSION, origin, listener).join();
            assertEquals("HELLO\n", listener.next(), "from " + origin);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            assertEquals("client gone", upstreamEvents.poll(20, TimeUnit.SECONDS));
        }
    }

    /** As XAPI's console proxy, a stream's task stays pending while it lasts and ends in success however it ends. */
    @Test
    void aStreamsTaskEndsInSuccessWhenEitherSideEnds() throws Exception {
        var byClient = connect("CONNECT /tunnel?uuid=x&task_id=OpaqueRef:a&session_id=" + SESSION + " HTTP/1.0\r\n\r\n");
        assertEquals("HELLO\n", byClient.read(6));
        assertEquals(null, taskEnds.poll(200, TimeUnit.MILLISECONDS), "pending while connected");
        byClient.socket().close();
        assertEquals("OpaqueRef:a success", taskEnds.poll(20, TimeUnit.SECONDS));

        var byUpstream = connect("CONNECT /tunnel?uuid=x&session_id=" + SESSION + " HTTP/1.0\r\nCookie: task_id=OpaqueRef:b\r\n\r\n");
        assertEquals("HELLO\n", byUpstream.read(6));
        byUpstream.write("bye");
        assertEquals("OpaqueRef:b success", taskEnds.poll(20, TimeUnit.SECONDS), "the task named by a cookie");

        var listener = new Listener();
        WebSocket ws = webSocket("/tunnel?task_id=OpaqueRef:c", "session_id=" + SESSION, listener);
        assertEquals("HELLO\n", listener.next());
        assertEquals(null, taskEnds.poll(200, TimeUnit.MILLISECONDS), "pending while connected");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        assertEquals("OpaqueRef:c success", taskEnds.poll(20, TimeUnit.SECONDS));
        assertEquals(null, taskEnds.poll(200, TimeUnit.MILLISECONDS), "each task ended once");
    }
}

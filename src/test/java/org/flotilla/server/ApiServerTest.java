package org.flotilla.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiError;
import org.flotilla.wire.JsonRpc;
import org.flotilla.wire.JsonRpcVersion;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.RpcOutcome;
import org.flotilla.wire.XmlRpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerTest {
    static {
        // Let this JVM's client even try TLS 1.0/1.1, so that refusing them is the server's doing, not the
        // JDK's defaults. Effective only if nothing initialised JSSE earlier; the protocol list check below is not.
        var disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
        if (disabled != null) {
            Security.setProperty("jdk.tls.disabledAlgorithms",
                    disabled.replaceAll("\\bTLSv1\\.1\\s*,?", "").replaceAll("\\bTLSv1\\s*,?", ""));
        }
    }

    static final AtomicInteger COUNTED = new AtomicInteger();

    /** A result of many 64 KiB chunks in either protocol. */
    static final List<String> BIG = java.util.stream.IntStream.range(0, 40_000).mapToObj(i -> "item " + i).toList();

    /** A stand-in for the XenAPI dispatcher: a handful of methods that exercise every reply shape. */
    static final Rpc FAKE = (method, params) -> switch (method) {
        case "count" -> COUNTED.incrementAndGet();
        case "echo" -> params;
        case "void" -> null;
        case "int64" -> 5_000_000_000L;
        case "fail" -> throw ApiError.of("SESSION_INVALID", String.valueOf(params.getFirst()));
        case "boom" -> throw new IllegalStateException("kaput");
        case "unencodable" -> new Object();
        case "virtual" -> Thread.currentThread().isVirtual();
        case "big" -> BIG;
        case "system.listMethods" -> List.of("echo", "void");
        default -> throw ApiError.of("MESSAGE_METHOD_UNKNOWN", method);
    };

    static final String ALLOWED_ORIGIN = "https://xo.example";

    @TempDir
    static Path stateDir;
    static HostCertificate certificate;
    static ApiServer server;
    static SSLContext client;

    @BeforeAll
    static void start() throws Exception {
        certificate = HostCertificate.loadOrCreate(stateDir, "flotilla-test", List.of());
        server = new ApiServer(FAKE, certificate, ApiServerConfig.loopbackEphemeral().withPlainHttpPort(0)
                .withAllowedOrigins(Set.of(ALLOWED_ORIGIN)));
        server.start();
        client = RawHttp.trusting(certificate.certificate());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static RawHttp connect() throws IOException { return new RawHttp(RawHttp.tls(client, server.httpsPort())); }

    static String xmlCall(String method, Object... params) { return new String(XmlRpc.writeCall(RpcCall.of(method, params)), UTF_8); }

    static String jsonCall(JsonRpcVersion v, Object id, String method, Object... params) {
        return new String(JsonRpc.writeCall(v, id, RpcCall.of(method, params)), UTF_8);
    }

    @Test
    void xmlRpcOnRootRpc2AndAnyOtherPath() throws Exception {
        try (var http = connect()) {
            for (var path : List.of("/", "/RPC2", "/xmlrpc", "/some/where?x=1")) {
                var reply = http.post(path, xmlCall("echo", "a", 1L));
                assertEquals(200, reply.status(), path);
                assertEquals("text/xml", reply.header("Content-Type"), path);
                assertNull(reply.header("Access-Control-Allow-Origin"), "no CORS for a client that is no browser");
                assertArrayEquals(XmlRpc.writeReply(RpcOutcome.success(List.of("a", "1"))), reply.body(), path);
            }
        }
    }

    @Test
    void jsonRpcOnJsonrpc() throws Exception {
        try (var http = connect()) {
            var v1 = http.post("/jsonrpc", jsonCall(JsonRpcVersion.V1, 1L, "int64"));
            assertEquals(200, v1.status());
            assertEquals("application/json", v1.header("Content-Type"));
            assertNull(v1.header("Access-Control-Allow-Origin"));
            assertEquals("{\"result\":5000000000,\"error\":null,\"id\":1}", v1.text());
            var v2 = http.post("/jsonrpc", jsonCall(JsonRpcVersion.V2, "q", "fail", "OpaqueRef:s"));
            assertEquals("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"SESSION_INVALID\",\"data\":[\"OpaqueRef:s\"]},\"id\":\"q\"}",
                    v2.text());
        }
    }

    @Test
    void legacyJsonPathTakesBothProtocols() throws Exception {
        try (var http = connect()) {
            var json = http.post("/json", jsonCall(JsonRpcVersion.V1, 2L, "void"));
            assertEquals("application/json", json.header("Content-Type"));
            assertEquals("{\"result\":\"\",\"error\":null,\"id\":2}", json.text());
            var xml = http.post("/json", xmlCall("void"));
            assertEquals("text/xml", xml.header("Content-Type"));
            assertArrayEquals(XmlRpc.writeReply(RpcOutcome.success(null)), xml.body());
        }
    }

    @Test
    void requestContentTypeDoesNotMatter() throws Exception {
        try (var http = connect()) {
            for (var type : List.of("text/xml", "application/xml; charset=utf-8", "application/x-www-form-urlencoded", "application/json")) {
                var reply = http.send("POST", "/", Map.of("Content-Type", type), xmlCall("void").getBytes(UTF_8));
                assertEquals(200, reply.status(), type);
            }
            var json = http.send("POST", "/jsonrpc", Map.of("Content-Type", "text/plain"), jsonCall(JsonRpcVersion.V2, 1L, "void").getBytes(UTF_8));
            assertEquals("{\"jsonrpc\":\"2.0\",\"result\":\"\",\"id\":1}", json.text());
        }
    }

    @Test
    void failuresAreRepliesNotFaults() throws Exception {
        try (var http = connect()) {
            var fail = XmlRpc.parseReply(http.post("/", xmlCall("fail", "OpaqueRef:s")).body());
            assertEquals(List.of("SESSION_INVALID", "OpaqueRef:s"), assertInstanceOf(RpcOutcome.Failure.class, fail).error().description());
            var boom = XmlRpc.parseReply(http.post("/", xmlCall("boom")).body());
            assertEquals(List.of("INTERNAL_ERROR", "java.lang.IllegalStateException: kaput"),
                    assertInstanceOf(RpcOutcome.Failure.class, boom).error().description());
            var unknown = JsonRpc.parseReply(http.post("/jsonrpc", jsonCall(JsonRpcVersion.V1, 1L, "nope")).body());
            assertEquals(List.of("MESSAGE_METHOD_UNKNOWN", "nope"), assertInstanceOf(RpcOutcome.Failure.class, unknown.outcome()).error().description());
            var unencodable = XmlRpc.parseReply(http.post("/", xmlCall("unencodable")).body());
            assertEquals("INTERNAL_ERROR", assertInstanceOf(RpcOutcome.Failure.class, unencodable).error().code());
        }
    }

    @Test
    void aReplyOfManyChunksArrivesWholeAndTheConnectionGoesOn() throws Exception {
        try (var http = connect()) {
            for (int twice = 0; twice < 2; twice++) {
                var xml = http.post("/", xmlCall("big"));
                assertArrayEquals(XmlRpc.writeReply(RpcOutcome.success(BIG)), xml.body());
                assertEquals(Integer.toString(xml.body().length), xml.header("Content-Length"));
                var json = http.post("/jsonrpc", jsonCall(JsonRpcVersion.V2, 1L, "big"));
                assertArrayEquals(JsonRpc.writeReply(JsonRpcVersion.V2, 1L, RpcOutcome.success(BIG)), json.body());
            }
            assertEquals(List.of("a"), XmlRpc.parseReply(http.post("/", xmlCall("echo", "a")).body()).valueOrThrow());
        }
    }

    @Test
    void listMethodsIsBareOverXmlRpc() throws Exception {
        try (var http = connect()) {
            var reply = http.post("/", xmlCall("system.listMethods"));
            assertArrayEquals(XmlRpc.writeBareReply(List.of("echo", "void")), reply.body());
        }
    }

    @Test
    void callsRunOnVirtualThreads() throws Exception {
        try (var http = connect()) {
            assertEquals(true, XmlRpc.parseReply(http.post("/", xmlCall("virtual")).body()).valueOrThrow());
        }
    }

    @Test
    void corsPreflight() throws Exception {
        try (var http = connect()) {
            for (var path : List.of("/", "/jsonrpc", "/json", "/RPC2")) {
                var reply = http.send("OPTIONS", path, Map.of("Origin", ALLOWED_ORIGIN, "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "content-type"), null);
                assertEquals(200, reply.status(), path);
                assertEquals(ALLOWED_ORIGIN, reply.header("Access-Control-Allow-Origin"));
                assertEquals("content-type, X-Requested-With", reply.header("Access-Control-Allow-Headers"));
                assertTrue(reply.header("Access-Control-Allow-Methods").contains("POST"));
                assertEquals(0, reply.body().length);
            }
        }
    }

    /** A call as a browser makes it: Host with the port, and the page's origin. */
    static RawHttp.Reply callFrom(String origin, String method) throws IOException {
        var headers = new java.util.LinkedHashMap<String, String>();
        headers.put("Host", "127.0.0.1:" + server.httpsPort());
        if (origin != null) headers.put("Origin", origin);
        try (var http = connect()) {
            return http.send(method, "/", headers, method.equals("POST") ? xmlCall("count").getBytes(UTF_8) : null);
        }
    }

    @Test
    void pagesOfOtherSitesAreRefusedAndCorsNamesOnlyAllowedOrigins() throws Exception {
        String self = "https://127.0.0.1:" + server.httpsPort();
        int before = COUNTED.get();
        for (String ok : List.of(self, ALLOWED_ORIGIN, "HTTPS://XO.example:443")) {
            var reply = callFrom(ok, "POST");
            assertEquals(200, reply.status(), ok);
            assertEquals(ok, reply.header("Access-Control-Allow-Origin"));
            assertEquals("Origin", reply.header("Vary"));
        }
        assertEquals(before + 3, COUNTED.get());
        for (String other : List.of("https://evil.example", "https://xo.example:8443", "http://127.0.0.1:" + server.httpsPort(), "null")) {
            for (String method : List.of("POST", "OPTIONS")) {
                var reply = callFrom(other, method);
                assertEquals(403, reply.status(), method + " from " + other);
                assertNull(reply.header("Access-Control-Allow-Origin"));
            }
        }
        assertEquals(before + 3, COUNTED.get(), "no call from another site ran");
    }

    @Test
    void onlyWebOriginsMayBeAllowed() {
        for (String bad : List.of("xo.example.com", "https://xo.example.com/path", "ftp://xo.example.com", "*")) {
            assertThrows(IllegalArgumentException.class, () -> ApiServerConfig.defaults().withAllowedOrigins(Set.of(bad)), bad);
        }
        assertEquals(2, ApiServerConfig.defaults().withAllowedOrigins(Set.of("https://[::1]:8443", "http://xo")).allowedOrigins().size());
    }

    @Test
    void keepAliveServesManyCallsOnOneConnection() throws Exception {
        try (var http = connect()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, http.post("/", xmlCall("echo", "x" + i)).status());
                var json = http.post("/jsonrpc", jsonCall(JsonRpcVersion.V2, (long) i, "echo", "y"));
                assertEquals("{\"jsonrpc\":\"2.0\",\"result\":[\"y\"],\"id\":" + i + "}", json.text());
                assertFalse("close".equalsIgnoreCase(json.header("Connection")));
            }
        }
    }

    @Test
    void chunkedBodiesAreRead() throws Exception {
        try (var http = connect()) {
            var body = xmlCall("echo", "chunked").getBytes(UTF_8);
            http.sendHead("POST", "/", Map.of("Transfer-Encoding", "chunked"), -1);
            var out = http.output();
            int half = body.length / 2;
            out.write((Integer.toHexString(half) + "\r\n").getBytes(UTF_8));
            out.write(body, 0, half);
            out.write(("\r\n" + Integer.toHexString(body.length - half) + "\r\n").getBytes(UTF_8));
            out.write(body, half, body.length - half);
            out.write("\r\n0\r\n\r\n".getBytes(UTF_8));
            out.flush();
            assertEquals(List.of("chunked"), XmlRpc.parseReply(http.read().body()).valueOrThrow());
        }
    }

    @Test
    void oversizedBodiesAreRefusedUnread() throws Exception {
        try (var http = connect()) {
            http.sendHead("POST", "/", Map.of(), RpcHandler.MAX_BODY_BYTES + 1);
            var reply = http.read(); // no body was sent: the server must answer without waiting for it
            assertEquals(413, reply.status());
            assertEquals("close", reply.header("Connection"));
            assertTrue(http.closedByServer());
        }
        try (var http = connect()) { // a body just under the bound is fine
            var padding = "x".repeat(RpcHandler.MAX_BODY_BYTES - 200);
            var reply = http.post("/", xmlCall("void", padding));
            assertEquals(200, reply.status());
        }
    }

    @Test
    void malformedBodiesGetAnHttpErrorAndTheServerCarriesOn() throws Exception {
        var cases = Map.of(
                "/", "<methodCall><methodName>x</methodName><params><param><value><foo/></value></param></params></methodCall>",
                "/RPC2", "{\"method\":\"echo\",\"params\":[],\"id\":1}",
                "/jsonrpc", "<methodCall><methodName>echo</methodName><params/></methodCall>",
                "/json", "{\"method\":\"echo\",\"params\":{},\"id\":1}",
                "/xmlrpc", "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>&x;</methodName></methodCall>");
        for (var c : cases.entrySet()) {
            try (var http = connect()) {
                var reply = http.post(c.getKey(), c.getValue());
                assertEquals(500, reply.status(), c.getKey());
                assertEquals("text/html", reply.header("Content-Type"));
                assertEquals("close", reply.header("Connection"));
                assertFalse(reply.text().contains("passwd:"));
            }
            try (var http = connect()) {
                assertEquals(200, http.post("/", xmlCall("void")).status());
            }
        }
        try (var http = connect()) {
            var empty = http.send("POST", "/jsonrpc", Map.of(), new byte[0]);
            assertEquals(500, empty.status());
        }
    }

    @Test
    void tls12And13OnlyAndNothingOlder() throws Exception {
        assertEquals(Set.of("TLSv1.2", "TLSv1.3"), Set.copyOf(server.tlsProtocols()));
        for (var protocol : List.of("TLSv1.2", "TLSv1.3")) {
            try (var socket = RawHttp.tls(client, server.httpsPort(), protocol); var http = new RawHttp(socket)) {
                assertEquals(protocol, socket.getSession().getProtocol());
                assertEquals(200, http.post("/", xmlCall("void")).status());
            }
        }
        for (var protocol : List.of("TLSv1.1", "TLSv1")) {
            var refused = assertThrows(SSLException.class, () -> RawHttp.tls(client, server.httpsPort(), protocol).close(), protocol);
            // when this JVM's client could offer the old protocol, the refusal must be the server's alert
            if (!String.valueOf(refused.getMessage()).contains("No appropriate protocol")) {
                assertTrue(refused.getMessage().contains("protocol_version"), refused.toString());
            }
        }
    }

    @Test
    void theServerPicksAes128GcmOverTheAes256ThatTheJdksClientOffersFirst() throws Exception {
        for (var protocol : List.of("TLSv1.2", "TLSv1.3")) {
            try (var socket = RawHttp.tls(client, server.httpsPort(), protocol)) {
                assertTrue(socket.getEnabledCipherSuites()[0].contains("AES_256_GCM"), "the client's first offer");
                assertTrue(socket.getSession().getCipherSuite().contains("AES_128_GCM"), socket.getSession().getCipherSuite());
            }
        }
    }

    @Test
    void servesTheHostCertificate() throws Exception {
        try (var socket = RawHttp.tls(client, server.httpsPort())) {
            assertEquals(certificate.certificate(), socket.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void plainHttpOnlyOnItsOwnPortWhenAskedFor() throws Exception {
        assertTrue(server.httpPort() > 0 && server.httpPort() != server.httpsPort());
        try (var http = new RawHttp(new Socket("127.0.0.1", server.httpPort()))) {
            assertEquals("text/xml", http.post("/", xmlCall("void")).header("Content-Type"));
        }
        try (var https = new ApiServer(FAKE, certificate, ApiServerConfig.loopbackEphemeral())) {
            https.start();
            assertEquals(-1, https.httpPort());
            // the HTTPS port does not speak plain HTTP
            try (var plain = new RawHttp(new Socket("127.0.0.1", https.httpsPort()))) {
                assertThrows(IOException.class, () -> {
                    var reply = plain.post("/", xmlCall("void"));
                    if (reply.status() != 200) throw new IOException("status " + reply.status());
                });
            }
        }
    }

    @Test
    void extraHandlersByPrefixBeforeTheApi() throws Exception {
        server.addHandler("/probe", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!request.getMethod().equals("GET")) return false; // POST falls through to the XenAPI
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "text/plain");
                response.write(true, ByteBuffer.wrap(("probe " + Request.getPathInContext(request)).getBytes(UTF_8)), callback);
                return true;
            }
        });
        try (var http = connect()) {
            var got = http.send("GET", "/probe/x?y=1", Map.of(), null);
            assertEquals(200, got.status());
            assertEquals("probe /probe/x", got.text());
            assertEquals(200, http.post("/probe", xmlCall("void")).status());
            assertEquals("text/xml", http.post("/probe", xmlCall("void")).header("Content-Type"));
        }
        try (var http = connect()) {
            assertEquals(404, http.send("GET", "/nothing-here", Map.of(), null).status());
        }
        assertThrows(IllegalStateException.class, () -> server.addHandler("/probe", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) { return false; }
        }));
    }

    @Test
    void pemFileIsPrivateAndReusedOnRestart() throws Exception {
        var pem = stateDir.resolve(HostCertificate.FILE_NAME);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)));
        var again = HostCertificate.loadOrCreate(stateDir, "flotilla-test", List.of());
        assertEquals(certificate.certificate(), again.certificate());
        try (var restarted = new ApiServer(FAKE, again, ApiServerConfig.loopbackEphemeral())) {
            restarted.start();
            try (var socket = RawHttp.tls(client, restarted.httpsPort())) {
                assertEquals(certificate.certificate(), socket.getSession().getPeerCertificates()[0]);
            }
        }
    }
}

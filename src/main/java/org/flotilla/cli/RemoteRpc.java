package org.flotilla.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiError;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.XmlRpc;

/** The XenAPI of a remote host over XML-RPC, on one kept-alive HTTPS connection pool. */
public final class RemoteRpc implements Rpc {
    private static final String UNREACHABLE = "cannot reach ";
    private final HttpClient http;
    private final URI uri;

    /**
     * {@code trustAnyCertificate}: a fresh host's certificate is self-signed, and xe (like XenCenter
     * on first contact) connects to it anyway; pass false to use the JDK's trust store.
     */
    public RemoteRpc(URI uri, boolean trustAnyCertificate) { this(uri, trustAnyCertificate, null); }

    /** The same, connecting from {@code localAddress} (null: whichever the system picks). */
    public RemoteRpc(URI uri, boolean trustAnyCertificate, java.net.InetAddress localAddress) {
        this.uri = uri;
        var builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (localAddress != null) builder.localAddress(localAddress);
        if (trustAnyCertificate && uri.getScheme().equals("https")) {
            var params = new SSLParameters();
            params.setEndpointIdentificationAlgorithm(null);
            builder.sslContext(AnyCertificate.context()).sslParameters(params);
        }
        this.http = builder.build();
    }

    /** Whether a call failed because the host could not be reached at all, rather than by the host's answer. */
    public static boolean unreachable(ApiError e) {
        return e.code().equals("INTERNAL_ERROR") && !e.params().isEmpty() && e.params().getFirst().startsWith(UNREACHABLE);
    }

    /** The XenAPI of another member of the pool, over HTTPS that accepts only the certificates {@code tls} trusts. */
    public RemoteRpc(URI uri, SSLContext tls) {
        this.uri = uri;
        this.http = pinned(tls, Duration.ofSeconds(10));
    }

    /** An HTTPS client that accepts the certificates {@code tls} trusts, whatever names they carry (members are known by pins). */
    public static HttpClient pinned(SSLContext tls, Duration connectTimeout) {
        var params = new SSLParameters();
        params.setEndpointIdentificationAlgorithm(null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .sslContext(tls).sslParameters(params).build();
    }

    public static RemoteRpc of(String host, int port, boolean tls) {
        return new RemoteRpc(URI.create((tls ? "https://" : "http://") + host + ":" + port + "/"), true);
    }

    @Override
    public Object call(String method, List<Object> params) {
        var request = HttpRequest.newBuilder(uri).header("Content-Type", XmlRpc.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(XmlRpc.writeCall(new RpcCall(method, params)))).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw ApiError.of("INTERNAL_ERROR", UNREACHABLE + uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
        if (response.statusCode() != 200) throw ApiError.internal("HTTP " + response.statusCode() + " from " + uri);
        return XmlRpc.parseReply(response.body()).valueOrThrow();
    }
}

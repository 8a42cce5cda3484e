package org.flotilla.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiError;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.XmlRpc;

/**
 * The XenAPI of a remote host over XML-RPC, on one kept-alive HTTPS connection pool. A call may rightly take
 * minutes (a VM.start, a migration), so it has no time limit of its own; instead, while it is outstanding, the
 * host is asked now and then over another connection whether it still answers at all, and the call fails as
 * unreachable once it has not several times in a row (a host whose daemon stopped, or whose link went down
 * without a reset, would otherwise hold the caller for ever).
 */
public final class RemoteRpc implements Rpc {
    private static final String UNREACHABLE = "cannot reach ";
    private final HttpClient http;
    private final URI uri;
    private volatile Liveness liveness = Liveness.DEFAULT;

    /**
     * How an outstanding call watches its host: every {@code every} a plain request, which any HTTP answer
     * passes, given {@code probeTimeout}; {@code misses} failed in a row end the call.
     */
    public record Liveness(Duration every, Duration probeTimeout, int misses) {
        public static final Liveness DEFAULT = new Liveness(Duration.ofSeconds(20), Duration.ofSeconds(10), 2);
    }

    /** Watches outstanding calls with {@code liveness} instead of {@link Liveness#DEFAULT}. */
    public RemoteRpc watchedBy(Liveness liveness) {
        this.liveness = liveness;
        return this;
    }

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
        HttpResponse<byte[]> response = whileTheHostAnswers(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        if (response.statusCode() != 200) throw ApiError.internal("HTTP " + response.statusCode() + " from " + uri);
        return XmlRpc.parseReply(response.body()).valueOrThrow();
    }

    private HttpResponse<byte[]> whileTheHostAnswers(CompletableFuture<HttpResponse<byte[]>> reply) {
        Liveness watch = liveness;
        int missed = 0;
        try {
            while (true) {
                try {
                    return reply.get(watch.every().toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    missed = answers(watch) ? 0 : missed + 1;
                    if (missed >= watch.misses()) {
                        reply.cancel(true);
                        throw ApiError.of("INTERNAL_ERROR", UNREACHABLE + uri + ": it stopped answering while the call was outstanding");
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw ApiError.of("INTERNAL_ERROR", UNREACHABLE + uri + ": " + io.getMessage());
            throw ApiError.internal(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            reply.cancel(true);
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
    }

    /** Whether the host gives any HTTP answer at all to a plain request, on a connection of its own. */
    private boolean answers(Liveness watch) throws InterruptedException {
        try {
            http.send(HttpRequest.newBuilder(uri).timeout(watch.probeTimeout()).GET().build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

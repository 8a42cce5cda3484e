package org.flotilla.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.flotilla.wire.ChunkedBytes;
import org.flotilla.wire.GzipBody;

/** The few reply shapes the API endpoints send, with the headers XAPI sends (api_server.ml, http_svr.ml). */
final class HttpReplies {
    private static final int SEND_BUFFER = 512 * 1024;
    /** Below this a reply is a couple of TLS records, and compressing it would cost a zlib stream for little. */
    static final int MIN_GZIP_BYTES = 32 * 1024;

    private HttpReplies() {}

    /**
     * A whole reply body. The content type goes exactly as given: Xen Orchestra's client gives up on
     * JSON-RPC for good if it reads anything but {@code application/json}, a charset suffix included.
     */
    static void send(Response response, Callback callback, int status, String contentType, byte[] body, boolean close) {
        head(response, status, contentType, body.length, close);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * An API reply, gzipped if the client asked for gzip and it is large enough to gain from it. XAPI never compresses
     * (its HTTP server does not read Accept-Encoding), but its clients that ask for gzip inflate it, and at 10,000 VMs
     * get_all_records in XML-RPC shrinks from 62 MiB to 12 MiB: less than its JSON-RPC, which goes plain.
     */
    static void sendReply(Request request, Response response, Callback callback, String contentType, ChunkedBytes body) {
        if (body.length() >= MIN_GZIP_BYTES) {
            // beside the Origin that BrowserOrigins may have named
            response.getHeaders().ensureField(new HttpField(HttpHeader.VARY, HttpHeader.ACCEPT_ENCODING.asString()));
            if (AcceptedCodings.gzip(request.getHeaders().getValuesList(HttpHeader.ACCEPT_ENCODING))) {
                response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
                body = GzipBody.of(body);
            }
        }
        send(response, callback, 200, contentType, body, false);
    }

    /**
     * A whole reply body in pieces. A body of one piece goes as it is; a larger one through one buffer of 512 KiB at
     * most, refilled once the last write of it is done: its pieces, which may be kept encodings shared with other
     * replies, are copied once, while the client reads what went before, and never reach Jetty themselves. Each write
     * is a flush, and 64 KiB writes made get_all_records at 10,000 VMs 40-60 ms slower than one write of the whole.
     */
    static void send(Response response, Callback callback, int status, String contentType, ChunkedBytes body, boolean close) {
        head(response, status, contentType, body.length(), close);
        var pieces = body.buffers();
        if (pieces.size() == 1) {
            response.write(true, pieces.getFirst(), callback);
            return;
        }
        var next = pieces.iterator();
        var buffer = ByteBuffer.allocate((int) Math.min(SEND_BUFFER, body.length()));
        new IteratingCallback() {
            private ByteBuffer piece = next.next();

            @Override
            protected Action process() {
                if (piece == null) return Action.SUCCEEDED;
                buffer.clear();
                while (piece != null && buffer.hasRemaining()) {
                    int n = Math.min(piece.remaining(), buffer.remaining());
                    buffer.put(buffer.position(), piece, piece.position(), n);
                    buffer.position(buffer.position() + n);
                    piece.position(piece.position() + n);
                    if (!piece.hasRemaining()) piece = next.hasNext() ? next.next() : null;
                }
                response.write(piece == null, buffer.flip(), this);
                return Action.SCHEDULED;
            }

            @Override
            protected void onCompleteSuccess() { callback.succeeded(); }

            @Override
            protected void onCompleteFailure(Throwable cause) { callback.failed(cause); }
        }.iterate();
    }

    private static void head(Response response, int status, String contentType, long length, boolean close) {
        response.setStatus(status);
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, contentType);
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "X-Requested-With");
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        if (close) headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        headers.put(HttpHeader.CONTENT_LENGTH, length);
    }

    /**
     * An HTTP-level failure in XAPI's style: a small HTML page and the connection closed, since after a
     * request we could not make sense of, the rest of the stream cannot be trusted either.
     */
    static void error(Response response, Callback callback, int status, String title, String detail) {
        var html = "<html><body><h1>HTTP " + status + " " + escape(title) + "</h1>" + escape(detail) + "</body></html>";
        send(response, callback, status, "text/html", html.getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * The CORS preflight answer; the requested headers are echoed, as XAPI does, so browsers may send them. Which
     * origin may send them is {@link BrowserOrigins}'s to say.
     */
    static void preflight(Request request, Response response, Callback callback) {
        var requested = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
        var headers = response.getHeaders();
        response.setStatus(200);
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS,
                requested == null || requested.isBlank() ? "X-Requested-With" : requested + ", X-Requested-With");
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, OPTIONS");
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        headers.put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

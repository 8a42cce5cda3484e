package org.flotilla.host;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.TunnelRequest;
import org.flotilla.db.Database;

/**
 * What the host's plain HTTP handlers beside the API share: XAPI authenticates them by a {@code session_id}
 * query parameter or cookie, and answers failures as short text.
 */
public final class HttpRequests {
    private HttpRequests() {}

    /** The request's path, query parameters and cookies, as the handlers beside the API read them. */
    public static TunnelRequest of(Request request) {
        return TunnelRequest.of(Request.getPathInContext(request), request.getHttpURI().getQuery(),
                request.getHeaders().get(HttpHeader.COOKIE));
    }

    /** Whether the request carries the id of a live session. */
    public static boolean authenticated(Request request, Database db) { return of(request).authenticated(db); }

    /** A complete reply of {@code text} as text/plain; returns true, as a handler that took the request does. */
    public static boolean text(Response response, Callback callback, int status, String text) {
        return send(response, callback, status, "text/plain; charset=utf-8", text);
    }

    /** A complete reply with a body of {@code contentType}, exactly that header (clients compare it). */
    public static boolean send(Response response, Callback callback, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}

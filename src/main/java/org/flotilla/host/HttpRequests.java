package org.flotilla.host;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.db.Database;

/**
 * What the host's plain HTTP handlers beside the API share: XAPI authenticates them by a {@code session_id}
 * query parameter or cookie, and answers failures as short text.
 */
public final class HttpRequests {
    private HttpRequests() {}

    /** Whether the request carries the id of a live session. */
    public static boolean authenticated(Request request, Database db) {
        String session = Request.extractQueryParameters(request).getValue("session_id");
        if (session == null) {
            for (HttpCookie c : Request.getCookies(request)) if (c.getName().equals("session_id")) session = c.getValue();
        }
        return session != null && db.get("session", session) != null;
    }

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

package org.flotilla.host;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.HttpCalls;
import org.flotilla.api.HttpRefusal;
import org.flotilla.api.HttpTask;
import org.flotilla.api.TunnelRequest;

/**
 * What the host's plain HTTP handlers beside the API share: XAPI authenticates them by a {@code session_id}
 * query parameter or cookie, runs them under the task a {@code task_id} names, and answers failures as short text.
 */
public final class HttpRequests {
    private HttpRequests() {}

    /** A handler's reply to a request, sent under the request's task. */
    @FunctionalInterface
    public interface Reply {
        void send(TunnelRequest request, HttpTask task) throws Exception;
    }

    /**
     * A handler's path, the method it takes and the permission XAPI names for it (http/put_import...). The path is
     * also taken with a trailing slash, which Xen Orchestra adds.
     */
    public record Route(String path, String method, String permission) {
        /**
         * Answers a request for this route under its task as {@link #underTask} does, and a wrong method with 405;
         * false for another path, which the next handler may take.
         */
        public boolean serve(HttpCalls calls, Request request, Response response, Callback callback, Reply reply) {
            String at = Request.getPathInContext(request);
            if (!at.equals(path) && !at.equals(path + "/")) return false;
            if (!method.equals(request.getMethod())) return text(response, callback, 405, "method not allowed\n");
            return underTask(calls, request, response, callback, reply);
        }
    }

    /**
     * Answers {@code request} under its task ({@link HttpCalls}), in the session it names or, as XAPI's handlers take
     * it, one its HTTP Basic credentials log in for its length: {@code reply} sends the reply, and the task ends in
     * success once the reply is handed over; a refusal is answered with its status and the task fails with its
     * error; a reply that breaks off (the client gone mid-stream) fails the task and the response.
     */
    public static boolean underTask(HttpCalls calls, Request request, Response response, Callback callback, Reply reply) {
        var tunnelRequest = of(request);
        try {
            calls.run(tunnelRequest, request.getHeaders().get(HttpHeader.AUTHORIZATION), Request.getRemoteAddr(request), (r, task) -> {
                reply.send(r, task);
                return task;
            }).success();
        } catch (HttpRefusal e) {
            // once the reply's head has gone, a refusal can no longer be the reply: the body is cut off instead, which
            // a client reading a body without a length can tell from a whole one only by its missing last chunk
            if (response.isCommitted()) {
                callback.failed(e);
                return true;
            }
            return text(response, callback, e.status(), e.reason() + "\n");
        } catch (Exception e) {
            callback.failed(e);
        }
        return true;
    }

    /** The request's path, query parameters and cookies, as the handlers beside the API read them. */
    public static TunnelRequest of(Request request) {
        return TunnelRequest.of(Request.getPathInContext(request), request.getHttpURI().getQuery(),
                request.getHeaders().get(HttpHeader.COOKIE));
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

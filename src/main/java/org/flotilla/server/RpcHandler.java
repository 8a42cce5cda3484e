package org.flotilla.server;

import java.io.IOException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.wire.ChunkedBytes;
import org.flotilla.wire.JsonRpc;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.RpcOutcome;
import org.flotilla.wire.WireFormatException;
import org.flotilla.wire.XmlRpc;

/**
 * The XenAPI endpoints, reached by any request no other handler took. As in XAPI, which matches handlers by
 * longest path prefix, POST {@code /jsonrpc…} is JSON-RPC, {@code /json…} is XAPI's legacy path (XML-RPC
 * there, but clients also send JSON to it, so the body decides), and every other POST path is XML-RPC:
 * Python clients post to {@code /RPC2}, Xen Orchestra's fallback to {@code /xmlrpc}. OPTIONS anywhere is
 * a CORS preflight. The request's Content-Type is not looked at, as XAPI does not.
 */
final class RpcHandler extends Handler.Abstract {
    static final int MAX_BODY_BYTES = 300 * 1024; // XAPI's http_limit_max_rpc_size
    private static final String LIST_METHODS = "system.listMethods";
    private static final System.Logger LOG = System.getLogger(RpcHandler.class.getName());

    private enum Protocol { XML, JSON, BY_BODY }

    private final RpcInvoker invoker;

    RpcHandler(RpcInvoker invoker) {
        super(InvocationType.BLOCKING); // runs the call itself, which may block: on a virtual thread
        this.invoker = invoker;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        switch (request.getMethod()) {
            case "POST" -> serve(request, response, callback);
            case "OPTIONS" -> HttpReplies.preflight(request, response, callback);
            default -> { return false; }
        }
        return true;
    }

    private static Protocol protocolOf(String path) {
        if (path.startsWith("/jsonrpc")) return Protocol.JSON;
        if (path.startsWith("/json")) return Protocol.BY_BODY;
        return Protocol.XML;
    }

    private void serve(Request request, Response response, Callback callback) {
        byte[] body;
        try {
            body = RequestBodies.readAtMost(request, MAX_BODY_BYTES);
        } catch (RequestBodies.TooLarge e) {
            // XAPI raises Client_requested_size_over_limit, which its HTTP server turns into a 500
            HttpReplies.error(response, callback, 413, "Request Entity Too Large",
                    "XenAPI requests are limited to " + MAX_BODY_BYTES + " bytes.");
            return;
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        String client = Request.getRemoteAddr(request);
        var protocol = protocolOf(Request.getPathInContext(request));
        if (protocol == Protocol.BY_BODY) protocol = JsonRpc.looksLikeJson(body) ? Protocol.JSON : Protocol.XML;
        try {
            switch (protocol) {
                case JSON -> {
                    var call = JsonRpc.parseRequest(body);
                    var reply = encode(invoker.invoke(call.call(), client), o -> JsonRpc.encodeReply(call.version(), call.id(), o));
                    HttpReplies.sendReply(request, response, callback, JsonRpc.CONTENT_TYPE, reply);
                }
                case XML, BY_BODY -> {
                    var call = XmlRpc.parseCall(body);
                    var reply = encode(invoker.invoke(call, client), o -> xmlReply(call, o));
                    HttpReplies.sendReply(request, response, callback, XmlRpc.CONTENT_TYPE, reply);
                }
            }
        } catch (WireFormatException e) {
            // XAPI lets the parser's exception reach its HTTP server, which answers 500 and closes
            LOG.log(System.Logger.Level.DEBUG, "unparseable request: {0}", e.getMessage());
            HttpReplies.error(response, callback, 500, "Internal Error", e.getMessage());
        }
    }

    private static ChunkedBytes xmlReply(RpcCall call, RpcOutcome outcome) {
        // XAPI answers system.listMethods with the bare contents, no Status struct (api_server.ml)
        if (call.method().equals(LIST_METHODS)) {
            return XmlRpc.encodeBareReply(switch (outcome) {
                case RpcOutcome.Success s -> s.value();
                case RpcOutcome.Failure f -> f.error().description();
            });
        }
        return XmlRpc.encodeReply(outcome);
    }

    /** Encodes the outcome; a result the codec cannot carry is the server's bug, and the client hears so. */
    private static ChunkedBytes encode(RpcOutcome outcome, java.util.function.Function<RpcOutcome, ChunkedBytes> writer) {
        try {
            return writer.apply(outcome);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot encode a result", e);
            return writer.apply(RpcOutcome.failure(org.flotilla.model.ApiError.internal(e.getMessage())));
        }
    }
}

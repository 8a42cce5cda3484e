package org.flotilla.server;

import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.model.ApiError;

/**
 * WebSocket upgrades on a tunnel's path (browsers: XO Lite, noVNC at {@code wss://<host>/console?...}) carry the
 * stream in binary frames, subprotocol {@code binary}. The session and console are checked before the upgrade, so
 * a refusal is a plain HTTP status. Other requests go on to the wrapped handler.
 */
final class WebSocketTunnels extends Handler.Wrapper {
    static final String SUBPROTOCOL = "binary";
    private static final Handshaker HANDSHAKER = Handshaker.newInstance();
    private final TunnelTargets targets;
    private WebSocketComponents components;

    WebSocketTunnels(TunnelTargets targets, Handler next) {
        super(next);
        this.targets = targets;
    }

    /** Blocking, as the handlers it wraps: requests run on virtual threads. */
    @Override
    public InvocationType getInvocationType() { return InvocationType.BLOCKING; }

    @Override
    protected void doStart() throws Exception {
        components = WebSocketServerComponents.ensureWebSocketComponents(getServer());
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!targets.serves(path) || !HANDSHAKER.isWebSocketUpgradeRequest(request)) return super.handle(request, response, callback);
        var offered = request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true);
        if (!offered.isEmpty() && !offered.contains(SUBPROTOCOL)) {
            HttpReplies.error(response, callback, 400, "Bad Request", "the only subprotocol served is " + SUBPROTOCOL);
            return true;
        }
        var tunnel = TunnelRequest.of(path, request.getHttpURI().getQuery(), request.getHeaders().get(HttpHeader.COOKIE));
        switch (targets.open(tunnel)) {
            case TunnelOutcome.Refused r -> HttpReplies.error(response, callback, r.status(), HttpStatus.getMessage(r.status()), r.reason());
            case TunnelOutcome.Opened o -> {
                boolean upgraded = false;
                try {
                    upgraded = HANDSHAKER.upgradeRequest((req, resp, cb) -> {
                        if (!offered.isEmpty()) resp.setAcceptedSubProtocol(SUBPROTOCOL);
                        return new WebSocketSplice(o);
                    }, request, response, callback, components, config -> config.setIdleTimeout(Duration.ZERO));
                } finally {
                    if (!upgraded) {
                        Splice.closeQuietly(o.upstream());
                        o.task().failure(ApiError.internal("the WebSocket upgrade failed"));
                    }
                }
                if (!upgraded) HttpReplies.error(response, callback, 400, "Bad Request", "not a WebSocket upgrade this server takes");
            }
        }
        return true;
    }
}

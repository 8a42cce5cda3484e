package org.flotilla.server;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes by longest path prefix, as XAPI's HTTP server does. A handler that declines (returns false) passes the
 * request on to shorter prefixes and finally to the fallback. Handlers may be added while the server runs.
 */
final class PrefixRouter extends Handler.Abstract {
    private final Handler fallback;
    private final PathPrefixes<Handler> routes = new PathPrefixes<>();

    PrefixRouter(Handler fallback) {
        super(InvocationType.BLOCKING);
        this.fallback = fallback;
        addBean(fallback, true);
    }

    synchronized void add(String prefix, Handler handler) {
        routes.add(prefix, handler);
        handler.setServer(getServer());
        addBean(handler, true); // started now if the server already runs, stopped with it
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        fallback.setServer(server);
        for (var h : routes.all()) h.setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        for (var handler : routes.matching(Request.getPathInContext(request))) {
            if (handler.handle(request, response, callback)) return true;
        }
        return fallback.handle(request, response, callback);
    }
}

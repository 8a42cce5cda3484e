package org.flotilla.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes by longest path prefix, as XAPI's HTTP server does. A handler that declines (returns false) passes the
 * request on to shorter prefixes and finally to the fallback. Handlers may be added while the server runs.
 */
final class PrefixRouter extends Handler.Abstract {
    private record Route(String prefix, Handler handler) {}

    private final Handler fallback;
    private volatile List<Route> routes = List.of(); // longest prefix first

    PrefixRouter(Handler fallback) {
        super(InvocationType.BLOCKING);
        this.fallback = fallback;
        addBean(fallback, true);
    }

    synchronized void add(String prefix, Handler handler) {
        if (!prefix.startsWith("/")) throw new IllegalArgumentException("path prefix must start with /: " + prefix);
        if (routes.stream().anyMatch(r -> r.prefix().equals(prefix))) {
            throw new IllegalStateException("a handler is already registered for " + prefix);
        }
        handler.setServer(getServer());
        var next = new ArrayList<>(routes);
        next.add(new Route(prefix, handler));
        next.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        addBean(handler, true); // started now if the server already runs, stopped with it
        routes = List.copyOf(next);
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        fallback.setServer(server);
        for (var r : routes) r.handler().setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var path = Request.getPathInContext(request);
        for (var route : routes) {
            if (path.startsWith(route.prefix()) && route.handler().handle(request, response, callback)) return true;
        }
        return fallback.handle(request, response, callback);
    }
}

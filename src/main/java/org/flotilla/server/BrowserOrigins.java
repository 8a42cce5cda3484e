package org.flotilla.server;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What web pages may do here. A browser names in Origin the site whose page makes a request, and sends the console's
 * session cookie along whatever that site is: a page elsewhere must not drive the API nor open a console. A request
 * with an Origin is served only if it is this host itself (the scheme, host and port the request reached) or one the
 * administrator allows, and CORS answers name that origin, never "*"; any other origin gets 403. Requests without an
 * Origin come from no browser (xe, the SDKs, xo-server) and are served as ever.
 */
final class BrowserOrigins extends Handler.Wrapper {
    private final Set<String> allowed;

    BrowserOrigins(Set<String> allowed, Handler next) {
        super(next);
        this.allowed = allowed.stream().map(BrowserOrigins::normalise).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public InvocationType getInvocationType() { return InvocationType.BLOCKING; }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) return super.handle(request, response, callback);
        String o = normalise(origin);
        String self = normalise(request.getHttpURI().getScheme() + "://" + hostForUri(Request.getServerName(request)) + ":"
                + Request.getServerPort(request));
        if (o == null || !o.equals(self) && !allowed.contains(o)) {
            HttpReplies.error(response, callback, 403, "Forbidden", "pages from " + origin + " may not use this host");
            return true;
        }
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.getHeaders().add(HttpHeader.VARY, "Origin");
        return super.handle(request, response, callback);
    }

    /** {@code scheme://host:port} in lower case with the port always given; null for anything else ("null" included). */
    static String normalise(String origin) {
        try {
            URI u = new URI(origin.strip());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null || u.getHost() == null || u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")
                    || u.getRawQuery() != null || u.getRawUserInfo() != null) {
                return null;
            }
            int port = u.getPort() >= 0 ? u.getPort() : switch (scheme) {
                case "https", "wss" -> 443;
                case "http", "ws" -> 80;
                default -> -1;
            };
            return port < 0 ? null : scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** Whether {@code origin} is one a browser could send: for checking the administrator's list. */
    static boolean valid(String origin) { return normalise(origin) != null; }

    private static String hostForUri(String host) { return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host; }
}

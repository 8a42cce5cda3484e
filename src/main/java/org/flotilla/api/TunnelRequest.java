package org.flotilla.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request for a byte stream or a file on the API's port (a VM console, performance data), whatever carries
 * it: HTTP CONNECT, a WebSocket or a plain GET. XAPI's HTTP handlers take the session from the {@code session_id} query
 * parameter or cookie, and the task they run under from {@code task_id}.
 *
 * @param path    the request path, without the query
 * @param query   the decoded query parameters (the first of repeated ones)
 * @param cookies the cookies sent
 */
public record TunnelRequest(String path, Map<String, String> query, Map<String, String> cookies) {
    public TunnelRequest {
        query = Map.copyOf(query);
        cookies = Map.copyOf(cookies);
    }

    /** From the raw request target's parts and {@code Cookie} header (either may be null). */
    public static TunnelRequest of(String path, String rawQuery, String cookieHeader) {
        return new TunnelRequest(path, split(rawQuery, "&", true), split(cookieHeader, ";", false));
    }

    /** From a request target such as {@code /console?uuid=...}. */
    public static TunnelRequest ofTarget(String target, String cookieHeader) {
        int q = target.indexOf('?');
        return of(q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1), cookieHeader);
    }

    public String param(String name) { return query.get(name); }

    /** The session named by the query, else by the cookie; null if neither names one. */
    public String sessionId() { return queryOrCookie("session_id"); }

    /** The task the request runs under (one the client made with task.create), as the session is named; null if none. */
    public String taskId() { return queryOrCookie("task_id"); }

    private String queryOrCookie(String name) {
        String s = query.get(name);
        return s != null ? s : cookies.get(name);
    }

    private static Map<String, String> split(String s, String separator, boolean urlEncoded) {
        var out = new LinkedHashMap<String, String>();
        if (s == null) return out;
        for (String part : s.split(separator)) {
            int eq = part.indexOf('=');
            if (part.isBlank() || eq == 0) continue;
            String name = (eq < 0 ? part : part.substring(0, eq)).strip();
            String value = eq < 0 ? "" : part.substring(eq + 1).strip();
            if (urlEncoded) {
                try {
                    name = URLDecoder.decode(name, StandardCharsets.UTF_8);
                    value = URLDecoder.decode(value, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    continue; // a malformed escape: the parameter is as good as absent
                }
            }
            out.putIfAbsent(name, value);
        }
        return out;
    }
}

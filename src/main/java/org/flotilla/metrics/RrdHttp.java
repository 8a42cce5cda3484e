package org.flotilla.metrics;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.flotilla.api.HttpCalls;
import org.flotilla.api.HttpRefusal;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.ApiError;

/**
 * The RRDs over HTTP, on the API's port as XAPI serves them, authenticated by {@code session_id} (query or
 * cookie), under the client's task if {@code task_id} names one:
 * <ul>
 * <li>{@code GET /rrd_updates?start=<unix s>[&cf=AVERAGE|MIN|MAX][&interval=<s>][&host=true][&vm_uuid=…]…[&json]}:
 *     the series since {@code start} as an {@link Xport} — every VM running here unless {@code vm_uuid}s are
 *     given, the host's only with {@code host=true};</li>
 * <li>{@code GET /host_rrd} and {@code GET /vm_rrd?uuid=<vm uuid>}: a whole RRD ({@link RrdDump}).</li>
 * </ul>
 * JSON when the query has a {@code json} parameter (any value) or the Accept header prefers it, XML otherwise.
 */
public final class RrdHttp extends Handler.Abstract {
    public enum Kind { UPDATES, HOST_RRD, VM_RRD }

    private static final String JSON = "application/json";
    private static final String XML = "text/xml";
    private final Metrics metrics;
    private final HttpCalls calls;
    private final Kind kind;

    public RrdHttp(Metrics metrics, HttpCalls calls, Kind kind) {
        super(InvocationType.BLOCKING);
        this.metrics = metrics;
        this.calls = calls;
        this.kind = kind;
    }

    /** The path XAPI serves this at. */
    public String path() {
        return switch (kind) {
            case UPDATES -> "/rrd_updates";
            case HOST_RRD -> "/host_rrd";
            case VM_RRD -> "/vm_rrd";
        };
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getHttpURI().getPath().equals(path())) return false;
        if (!"GET".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        // as XAPI, which hands the connection over to its RRD daemon: the task ends once the reply is handed over
        return HttpRequests.underTask(calls, request, response, callback, (r, task) -> reply(request, response, callback));
    }

    private void reply(Request request, Response response, Callback callback) {
        Fields q = Request.extractQueryParameters(request);
        boolean json = prefersJson(request.getHeaders().get(HttpHeader.ACCEPT), q.get("json") != null);
        String body = switch (kind) {
            case UPDATES -> updates(q, json);
            case HOST_RRD -> dump("host", metrics.rrds().hostUuid(), json);
            case VM_RRD -> dump("VM", Optional.ofNullable(q.getValue("uuid")).orElse(""), json);
        };
        if (kind == Kind.UPDATES) response.getHeaders().put("Access-Control-Allow-Headers", "X-Requested-With");
        HttpRequests.send(response, callback, 200, json ? JSON : XML, body);
    }

    private String updates(Fields q, boolean json) {
        String start = q.getValue("start");
        if (start == null) throw invalid("start", "");
        String interval = q.getValue("interval");
        String cf = q.getValue("cf");
        List<String> vms = q.getValues("vm_uuid"); // null when absent: every VM
        try {
            Xport x = metrics.rrds().export("true".equals(q.getValue("host")), vms == null || vms.isEmpty() ? null : List.copyOf(vms),
                    parsed("start", start, Long::parseLong), interval == null ? 0 : parsed("interval", interval, Long::parseLong),
                    cf == null ? null : parsed("cf", cf, Consolidation::valueOf));
            return json ? x.json() : x.xml();
        } catch (Xport.NoArchive e) {
            throw new HttpRefusal(500, ApiError.internal(e.getMessage()));
        }
    }

    private String dump(String cls, String uuid, boolean json) {
        return metrics.rrds().with(uuid, rrd -> json ? RrdDump.json(rrd) : RrdDump.xml(rrd))
                .orElseThrow(() -> new HttpRefusal(404, ApiError.of("UUID_INVALID", cls, uuid)));
    }

    private static <T> T parsed(String name, String value, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw invalid(name, value);
        }
    }

    private static HttpRefusal invalid(String name, String value) { return new HttpRefusal(400, ApiError.of("INVALID_VALUE", name, value)); }

    /**
     * XAPI's choice: among the Accept header's ranges of the highest q-value that matches JSON or XML, JSON wins
     * if it matches (so {@code *}{@code /*} gets JSON, as from XAPI); without an Accept header, or one that cannot
     * be read, whether the query names {@code json}.
     */
    static boolean prefersJson(String accept, boolean jsonParameter) {
        if (accept == null) return jsonParameter;
        var ranges = new java.util.TreeMap<Double, List<String>>(java.util.Comparator.reverseOrder());
        for (String range : accept.split(",")) {
            if (range.isBlank()) continue;
            String[] parts = range.trim().split(";");
            if (!parts[0].contains("/")) return jsonParameter;
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                if (kv.length != 2) return jsonParameter;
                if (kv[0].equals("q")) {
                    try { q = Double.parseDouble(kv[1]); } catch (NumberFormatException e) { return jsonParameter; }
                }
            }
            ranges.computeIfAbsent(q, k -> new java.util.ArrayList<>()).add(parts[0].trim());
        }
        for (List<String> level : ranges.values()) {
            if (level.stream().anyMatch(r -> matches(r, JSON))) return true;
            if (level.stream().anyMatch(r -> matches(r, XML))) return false;
        }
        return jsonParameter;
    }

    private static boolean matches(String range, String type) {
        return range.equals("*/*") || range.equals(type) || range.equals(type.substring(0, type.indexOf('/')) + "/*");
    }
}

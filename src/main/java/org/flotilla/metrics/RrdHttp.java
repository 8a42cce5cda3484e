package org.flotilla.metrics;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.flotilla.host.HttpRequests;

/**
 * The RRDs over HTTP, on the API's port as XAPI serves them, authenticated by {@code session_id} (query or
 * cookie):
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
    private final Kind kind;

    public RrdHttp(Metrics metrics, Kind kind) {
        super(InvocationType.BLOCKING);
        this.metrics = metrics;
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
        if (!HttpRequests.authenticated(request, metrics.db())) return HttpRequests.text(response, callback, 401, "no valid session_id\n");
        Fields q = Request.extractQueryParameters(request);
        boolean json = prefersJson(request.getHeaders().get(HttpHeader.ACCEPT), q.get("json") != null);
        return switch (kind) {
            case UPDATES -> updates(q, json, response, callback);
            case HOST_RRD -> dump(metrics.rrds().hostUuid(), json, response, callback);
            case VM_RRD -> dump(Optional.ofNullable(q.getValue("uuid")).orElse(""), json, response, callback);
        };
    }

    private boolean updates(Fields q, boolean json, Response response, Callback callback) {
        Xport x;
        try {
            long start = Long.parseLong(required(q, "start"));
            long interval = q.getValue("interval") == null ? 0 : Long.parseLong(q.getValue("interval"));
            Consolidation cf = q.getValue("cf") == null ? null : Consolidation.valueOf(q.getValue("cf"));
            List<String> vms = q.getValues("vm_uuid"); // null when absent: every VM
            x = metrics.rrds().export("true".equals(q.getValue("host")), vms == null || vms.isEmpty() ? null : List.copyOf(vms),
                    start, interval, cf);
        } catch (IllegalArgumentException e) {
            return HttpRequests.text(response, callback, 400, "bad request: " + e.getMessage() + "\n");
        } catch (Xport.NoArchive e) {
            return HttpRequests.text(response, callback, 500, e.getMessage() + "\n");
        }
        response.getHeaders().put("Access-Control-Allow-Headers", "X-Requested-With");
        return HttpRequests.send(response, callback, 200, json ? JSON : XML, json ? x.json() : x.xml());
    }

    private boolean dump(String uuid, boolean json, Response response, Callback callback) {
        BiFunction<Rrd, Boolean, String> render = (rrd, asJson) -> asJson ? RrdDump.json(rrd) : RrdDump.xml(rrd);
        Optional<String> body = metrics.rrds().with(uuid, rrd -> render.apply(rrd, json));
        if (body.isEmpty()) return HttpRequests.text(response, callback, 404, "no RRD for " + uuid + "\n");
        return HttpRequests.send(response, callback, 200, json ? JSON : XML, body.get());
    }

    private static String required(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null) throw new IllegalArgumentException("missing " + name);
        return v;
    }

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

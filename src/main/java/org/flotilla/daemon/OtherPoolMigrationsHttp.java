package org.flotilla.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Set;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.api.Sessions;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.Session;
import org.flotilla.runtime.migration.OtherPoolArrivals;

/**
 * This host's side of a VM migrating here from another pool, for that pool's host (which is no member, so not
 * {@link MembersHttp}'s): {@code POST /services/xenops/migration/check}, {@code prepare}, {@code finish} and
 * {@code abort}, under the xenops URL host.migrate_receive gives. Each body is a JSON object carrying a session of this
 * pool ({@code session_id}, the one host.migrate_receive made): SESSION_INVALID otherwise.
 */
final class OtherPoolMigrationsHttp extends Handler.Abstract {
    static final String PATH = "/services/xenops/migration/";
    /** A VM's records with its UEFI variables fit well within this. */
    private static final int MAX_BODY = 4 << 20;
    private static final String TYPE = "application/json";
    private static final Set<String> CALLS = Set.of("check", "prepare", "finish", "abort", "history");

    private final Sessions sessions;
    private final OtherPoolArrivals arrivals;

    OtherPoolMigrationsHttp(Sessions sessions, OtherPoolArrivals arrivals) {
        super(InvocationType.BLOCKING);
        this.sessions = sessions;
        this.arrivals = arrivals;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = request.getHttpURI().getPath();
        if (!path.startsWith(PATH) || !CALLS.contains(path.substring(PATH.length()))) return false;
        if (!"POST".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        byte[] body = Content.Source.asInputStream(request).readNBytes(MAX_BODY + 1);
        JsonNode in;
        try {
            in = body.length > MAX_BODY ? null : JsonCalls.JSON.readTree(body);
        } catch (IOException e) {
            in = null;
        }
        if (in == null || !in.isObject()) return HttpRequests.text(response, callback, 400, "a JSON object expected\n");
        try {
            sessions.require(Session.CLASS.ref(in.path("session_id").asText("")));
            return HttpRequests.send(response, callback, 200, TYPE, call(path.substring(PATH.length()), in));
        } catch (ApiError e) {
            return HttpRequests.send(response, callback, 409, TYPE, JsonCalls.error(e));
        } catch (IllegalArgumentException e) {
            return HttpRequests.text(response, callback, 400, e.getMessage() + "\n");
        }
    }

    private String call(String name, JsonNode in) {
        var out = JsonCalls.JSON.createObjectNode();
        String vm = in.path("vm").asText();
        String token = in.path("token").asText();
        switch (name) {
            case "check" -> arrivals.check(in.path("records").asText(), JsonCalls.strings(in.path("disks")));
            case "prepare" -> out.setAll(JsonCalls.write(arrivals.prepare(in.path("records").asText(), JsonCalls.strings(in.path("disks")), in.path("certificate").asText())));
            case "finish" -> out.put("domid", arrivals.finish(vm, token));
            case "history" -> arrivals.history(vm, in.path("history").asText());
            default -> out.put("arrived", arrivals.abort(vm, token));
        }
        return out.toString();
    }
}

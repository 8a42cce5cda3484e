package org.flotilla.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.flotilla.host.HttpRequests;
import org.flotilla.model.ApiError;
import org.flotilla.raft.Peer;

/**
 * What members ask of each other outside the XenAPI, as XAPI's members talk to the master over HTTP paths of their
 * own: {@code POST /pool/members} (take me into the pool database's group), {@code POST /pool/voters} (I am up to
 * date: set who votes), {@code POST /pool/group} (which group do you lead: pool.emergency_reset_master), {@code POST /pool/leave} (you are ejected) and {@code POST /pool/migration/prepare},
 * {@code finish}, {@code abort} and {@code history} (the destination's side of a VM's live migration). Each body is a JSON
 * object carrying the pool's secret, small but for a history (the VM's RRD).
 */
final class MembersHttp extends Handler.Abstract {
    static final String PATH = "/pool/";
    private static final int MAX_BODY = 16 << 10;
    /** A migrated VM's history (its RRD as rrdtool's XML dump) is larger than any other call's body. */
    private static final int MAX_HISTORY_BODY = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "application/json";

    private static final java.util.Set<String> PATHS = java.util.Set.of("/pool/members", "/pool/leave", "/pool/voters", "/pool/group",
            "/pool/migration/prepare", "/pool/migration/finish", "/pool/migration/abort", "/pool/migration/history");

    private final PoolMembers members;

    MembersHttp(PoolMembers members) {
        super(InvocationType.BLOCKING);
        this.members = members;
    }

    /** The destination's side of a VM's migration (runtime.migration.MigrationPeer), for the host the VM leaves. */
    private boolean migration(String path, JsonNode in, Response response, Callback callback) {
        var target = members.migrationTarget();
        String vm = in.path("vm").asText();
        var out = JSON.createObjectNode();
        switch (path) {
            case "/pool/migration/prepare" -> {
                out.setAll(JsonCalls.write(target.prepare(vm, JsonCalls.strings(in.path("disks")), in.path("certificate").asText())));
            }
            case "/pool/migration/finish" -> out.put("domid", target.finish(vm, in.path("token").asText()));
            case "/pool/migration/history" -> target.history(vm, in.path("history").asText());
            default -> out.put("arrived", target.abort(vm, in.path("token").asText()));
        }
        return HttpRequests.send(response, callback, 200, TYPE, out.toString());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = request.getHttpURI().getPath();
        if (!PATHS.contains(path)) return false;
        if (!"POST".equals(request.getMethod())) return HttpRequests.text(response, callback, 405, "method not allowed\n");
        int max = path.equals("/pool/migration/history") ? MAX_HISTORY_BODY : MAX_BODY;
        byte[] body = Content.Source.asInputStream(request).readNBytes(max + 1);
        JsonNode in;
        try {
            in = body.length > max ? null : JSON.readTree(body);
        } catch (IOException e) {
            in = null;
        }
        if (in == null || !in.isObject()) return HttpRequests.text(response, callback, 400, "a JSON object expected\n");
        if (!members.secretMatches(in.path("secret").asText(null))) return HttpRequests.text(response, callback, 403, "not a pool member\n");
        try {
            if (path.equals("/pool/leave")) {
                members.leave();
                return HttpRequests.send(response, callback, 200, TYPE, "{}");
            }
            if (path.equals("/pool/group")) {
                return HttpRequests.send(response, callback, 200, TYPE, JSON.createObjectNode().put("group", members.group().toString()).toString());
            }
            if (path.equals("/pool/voters")) {
                members.settleVoters();
                return HttpRequests.send(response, callback, 200, TYPE, "{}");
            }
            if (path.startsWith("/pool/migration/")) return migration(path, in, response, callback);
            var peer = new Peer(in.path("uuid").asText(), in.path("address").asText(), in.path("port").asInt());
            long applied = members.admit(peer);
            return HttpRequests.send(response, callback, 200, TYPE, JSON.createObjectNode().put("applied", applied).toString());
        } catch (ApiError e) {
            return HttpRequests.send(response, callback, 409, TYPE, JsonCalls.error(e));
        } catch (IllegalArgumentException e) {
            return HttpRequests.text(response, callback, 400, e.getMessage() + "\n");
        }
    }
}

package org.flotilla.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.runtime.migration.IncomingStream;

/**
 * A JSON object POSTed to another daemon's path outside the XenAPI, and its answer: the reply's object on 200, the
 * XenAPI error it names on 409 ({@code {"code":…,"params":[…]}}), CANNOT_CONTACT_HOST when it cannot be reached.
 */
final class JsonCalls {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonCalls() {}

    static JsonNode post(HttpClient http, URI uri, JsonNode body, Duration timeout) {
        var request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiError.of("CANNOT_CONTACT_HOST", uri.getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(response.body());
        } catch (IOException e) {
            reply = null;
        }
        if (response.statusCode() == 200 && reply != null) return reply;
        if (response.statusCode() == 409 && reply != null && reply.has("code")) {
            List<String> params = new ArrayList<>();
            reply.path("params").forEach(p -> params.add(p.asText()));
            throw ApiError.of(reply.get("code").asText(), params.toArray(String[]::new));
        }
        throw ApiError.internal("HTTP " + response.statusCode() + " from " + uri + ": " + response.body().strip());
    }

    /** A map of strings sent as a JSON object (the disks of a migration); empty if {@code node} is none. */
    static Map<String, String> strings(JsonNode node) {
        var out = new LinkedHashMap<String, String>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** A migration's way in, as a destination answers prepare. */
    static ObjectNode write(IncomingStream s) {
        var out = JSON.createObjectNode().put("address", s.address()).put("port", s.port()).put("token", s.token())
                .put("disks_port", s.disksPort()).put("certificate", s.certificate()).put("copies_port", s.copiesPort());
        s.disks().forEach(out.putObject("disks")::put);
        return out;
    }

    static IncomingStream readStream(JsonNode r) {
        return new IncomingStream(r.path("address").asText(), r.path("port").asInt(), r.path("token").asText(), r.path("disks_port").asInt(),
                strings(r.path("disks")), r.path("certificate").asText(), r.path("copies_port").asInt());
    }

    /** The answer {@link #post} reads as the error {@code e}. */
    static String error(ApiError e) {
        var out = JSON.createObjectNode().put("code", e.code());
        e.params().forEach(out.putArray("params")::add);
        return out.toString();
    }
}

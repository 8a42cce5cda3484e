package org.flotilla.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;
import org.flotilla.runtime.migration.OtherPoolDestination;
import org.flotilla.runtime.migration.OtherPools;

/**
 * This host's calls to a host of another pool for a VM migrating there ({@link OtherPoolMigrationsHttp} serves
 * them): POSTs under the xenops URL host.migrate_receive gave, over TLS that accepts only the certificate whose
 * fingerprint the same map gave, each carrying the map's session of that pool.
 */
final class OtherPoolCalls implements OtherPools {
    private static final Duration REPLY = Duration.ofSeconds(60);
    /** As between members: a destination that does not hear an abort ends its half once the stream stalls. */
    private static final Duration ABORT_REPLY = Duration.ofSeconds(10);

    @Override
    public void check(OtherPoolDestination to, String records, Map<String, String> disks) {
        var body = body(to).put("records", records);
        disks.forEach(body.putObject("disks")::put);
        new Destination(to).post("check", body, REPLY);
    }

    @Override
    public MigrationPeer peer(OtherPoolDestination dest, String records) {
        var to = new Destination(dest);
        return new MigrationPeer() {
            @Override
            public IncomingStream prepare(String vm, Map<String, String> disks, String certificate) {
                var body = body(dest).put("vm", vm).put("records", records).put("certificate", certificate);
                disks.forEach(body.putObject("disks")::put);
                return JsonCalls.readStream(to.post("prepare", body, REPLY));
            }

            @Override
            public long finish(String vm, String token) {
                return to.post("finish", body(dest).put("vm", vm).put("token", token), REPLY).path("domid").asLong();
            }

            @Override
            public boolean abort(String vm, String token) {
                return to.post("abort", body(dest).put("vm", vm).put("token", token), ABORT_REPLY).path("arrived").asBoolean(false);
            }

            @Override
            public void history(String vm, String history) { to.post("history", body(dest).put("vm", vm).put("history", history), REPLY); }
        };
    }

    private static ObjectNode body(OtherPoolDestination to) { return JsonCalls.JSON.createObjectNode().put("session_id", to.session()); }

    /** The destination host's daemon, over TLS that accepts its certificate alone. */
    private static final class Destination {
        private final HttpClient http;
        private final String base;

        Destination(OtherPoolDestination to) {
            this.http = RemoteRpc.pinned(FingerprintTrust.context(to.fingerprint()), Duration.ofSeconds(5));
            this.base = "https://" + to.xenops().getRawAuthority() + OtherPoolMigrationsHttp.PATH;
        }

        JsonNode post(String call, JsonNode body, Duration timeout) { return JsonCalls.post(http, URI.create(base + call), body, timeout); }
    }
}

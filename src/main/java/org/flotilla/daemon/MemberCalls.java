package org.flotilla.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.raft.MemberTls;
import org.flotilla.raft.Peer;
import org.flotilla.runtime.migration.IncomingStream;
import org.flotilla.runtime.migration.MigrationPeer;

/** This host's calls to other members' {@link MembersHttp}, over HTTPS that accepts only members' certificates (or one member's). */
final class MemberCalls {
    private static final System.Logger LOG = System.getLogger(MemberCalls.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PAUSE = Duration.ofSeconds(1);
    private static final Duration REPLY = Duration.ofSeconds(60);
    /**
     * An abort is a courtesy: a destination that does not hear it ends its half once the stream stalls. Not waiting
     * long for it keeps a failed migration (say, over a cut link) from holding the VM's task.
     */
    private static final Duration ABORT_REPLY = Duration.ofSeconds(10);

    private final HttpClient http;
    private final String secret;

    MemberCalls(MemberTls tls, String secret) { this(tls.sslContext(), secret); }

    /** Calls over TLS that trusts what {@code tls} does: one member's certificate, say. */
    MemberCalls(SSLContext tls, String secret) {
        this.http = RemoteRpc.pinned(tls, Duration.ofSeconds(5));
        this.secret = secret;
    }

    /**
     * Asks the coordinator at {@code coordinator} (host:port of its API) to take this host into the pool database's
     * group, following it if it says another member now coordinates; tries again until {@code limit}. Returns the
     * log index this host's copy must reach.
     */
    long admit(String coordinator, Peer self, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String target = coordinator;
        var failures = new ArrayList<String>();
        while (true) {
            try {
                JsonNode reply = post(target, "/pool/members", JSON.createObjectNode().put("secret", secret).put("uuid", self.id())
                        .put("address", self.host()).put("port", self.port()));
                return reply.path("applied").asLong();
            } catch (ApiError e) {
                if (e.code().equals("HOST_IS_SLAVE") && !e.params().isEmpty() && !e.params().getFirst().isEmpty()) {
                    target = e.params().getFirst() + target.substring(target.lastIndexOf(':'));
                } else if (!e.code().equals("CANNOT_CONTACT_HOST")) {
                    throw e;
                }
                failures.add(e.code() + " " + e.params());
            }
            if (System.nanoTime() > deadline) {
                throw ApiError.internal("the coordinator did not take this host into the pool: " + failures.getLast());
            }
            LOG.log(Level.INFO, "waiting to be taken into the pool: " + failures.getLast());
            sleep();
        }
    }

    /** Asks the coordinator to set how many members vote, now that this one is up to date; a failure only costs balance. */
    void settleVoters(String coordinator) {
        try {
            post(coordinator, "/pool/voters", JSON.createObjectNode().put("secret", secret));
        } catch (ApiError e) {
            LOG.log(Level.WARNING, "the coordinator did not settle the pool database's voters: " + e.getMessage());
        }
    }

    /** The destination's side of a migration, on the member at {@code hostPort}. */
    MigrationPeer migrationPeer(String hostPort) {
        return new MigrationPeer() {
            @Override
            public IncomingStream prepare(String vm, Map<String, String> disks, String certificate) {
                var body = JSON.createObjectNode().put("secret", secret).put("vm", vm).put("certificate", certificate);
                disks.forEach(body.putObject("disks")::put);
                return JsonCalls.readStream(post(hostPort, "/pool/migration/prepare", body));
            }

            @Override
            public long finish(String vm, String token) {
                return post(hostPort, "/pool/migration/finish", JSON.createObjectNode().put("secret", secret).put("vm", vm).put("token", token))
                        .path("domid").asLong();
            }

            @Override
            public boolean abort(String vm, String token) {
                return post(hostPort, "/pool/migration/abort", JSON.createObjectNode().put("secret", secret).put("vm", vm).put("token", token), ABORT_REPLY)
                        .path("arrived").asBoolean(false);
            }

            @Override
            public void history(String vm, String history) {
                post(hostPort, "/pool/migration/history", JSON.createObjectNode().put("secret", secret).put("vm", vm).put("history", history));
            }
        };
    }

    /** The pool database's group that the coordinator at {@code hostPort} leads. */
    java.util.UUID group(String hostPort) {
        String group = post(hostPort, "/pool/group", JSON.createObjectNode().put("secret", secret)).path("group").asText();
        try {
            return java.util.UUID.fromString(group);
        } catch (IllegalArgumentException e) {
            throw ApiError.internal(hostPort + " named no pool database group: " + group);
        }
    }

    /** Tells the member at {@code hostPort} that it is ejected. */
    void leave(String hostPort, Ref<Host> host) {
        try {
            post(hostPort, "/pool/leave", JSON.createObjectNode().put("secret", secret));
        } catch (ApiError e) {
            if (e.code().equals("CANNOT_CONTACT_HOST")) throw ApiError.of("CANNOT_CONTACT_HOST", host.value());
            throw e;
        }
    }

    private JsonNode post(String hostPort, String path, JsonNode body) { return post(hostPort, path, body, REPLY); }

    private JsonNode post(String hostPort, String path, JsonNode body, Duration timeout) {
        return JsonCalls.post(http, URI.create("https://" + hostPort + path), body, timeout);
    }

    private static void sleep() {
        try {
            Thread.sleep(PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
    }
}

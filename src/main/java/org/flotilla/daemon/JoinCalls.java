package org.flotilla.daemon;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.model.ApiError;

/**
 * The joining host's side of pool.join, as XAPI's: log in to the coordinator, check the two hosts can be one pool,
 * take the pool's secret and swap certificates. The coordinator's certificate is not known yet, so this one
 * connection trusts whatever the coordinator presents, and only the credentials the administrator gave vouch for it;
 * every later call between members checks the certificates swapped here.
 */
final class JoinCalls {
    /** What the coordinator hands a joining host: the pool database's group, the pool's secret, the members' certificates. */
    record Invitation(UUID group, String secret, Map<String, String> certificates) {}

    private final String target;
    private final RemoteRpc rpc;

    JoinCalls(String target) {
        this.target = target;
        this.rpc = new RemoteRpc(URI.create("https://" + target + "/"), true);
    }

    Invitation join(String user, String password, String ownUuid, String ownPem, boolean force, long apiMajor, long apiMinor) {
        String session;
        try {
            session = (String) rpc.call("session.login_with_password", List.of(user, password, "1.0", "flotilla pool.join"));
        } catch (ApiError e) {
            if (RemoteRpc.unreachable(e)) throw ApiError.of("JOINING_HOST_CONNECTION_FAILED");
            throw e;
        }
        try {
            String pool = first(call("pool.get_all", session));
            String master = (String) call("pool.get_master", session, pool);
            String masterUuid = (String) call("host.get_uuid", session, master);
            if (masterUuid.equals(ownUuid)) throw ApiError.of("OPERATION_NOT_ALLOWED", "Host cannot become slave of itself");
            long major = Long.parseLong(String.valueOf(call("host.get_API_version_major", session, master)));
            long minor = Long.parseLong(String.valueOf(call("host.get_API_version_minor", session, master)));
            if (!force && (major != apiMajor || minor != apiMinor)) throw ApiError.of("POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION");
            UUID group = UUID.fromString((String) call("pool.get_uuid", session, pool));
            String secret = (String) call("pool.initial_auth", session);
            @SuppressWarnings("unchecked")
            var certificates = (Map<String, String>) call("pool.exchange_certificates_on_join", session, ownUuid, ownPem);
            if (!certificates.containsKey(masterUuid + ".pem")) throw ApiError.of("JOINING_HOST_SERVICE_FAILED");
            return new Invitation(group, secret, Map.copyOf(certificates));
        } catch (ApiError e) {
            if (RemoteRpc.unreachable(e)) throw ApiError.of("JOINING_HOST_CONNECTION_FAILED");
            throw e;
        } finally {
            try {
                rpc.call("session.logout", List.of(session));
            } catch (ApiError ignored) {
                // the session lapses on its own
            }
        }
    }

    private Object call(String method, Object... params) { return rpc.call(method, List.of(params)); }

    private String first(Object refs) {
        if (refs instanceof List<?> l && !l.isEmpty()) return (String) l.getFirst();
        throw ApiError.internal("no pool at " + target);
    }
}

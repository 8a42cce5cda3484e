package org.flotilla.runtime.migration;

import java.net.URI;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/**
 * A host of another pool as host.migrate_receive there described it ({@code dest}): the host, its xenops service
 * (where its daemon takes a migration's calls), the session of that pool the calls carry, the pool's master, and the
 * SHA-256 fingerprint of the host's TLS certificate ({@link #FINGERPRINT}), which the client received over its own TLS
 * connection to that pool and by which this host knows the destination when it connects.
 */
public record OtherPoolDestination(Ref<Host> host, URI xenops, String session, String master, String fingerprint) {
    /** host.migrate_receive's own key (not XAPI's): the SHA-256 fingerprint of the destination host's certificate. */
    public static final String FINGERPRINT = "host_certificate_sha256";
    static final String XENOPS = "xenops";
    static final String SESSION = "session_id";
    static final String MASTER = "master";

    /** Whether {@code dest} names a host of another pool: it carries a session and the pool's master. */
    static boolean describes(Map<String, String> dest) { return dest.containsKey(SESSION) && dest.containsKey(MASTER); }

    static OtherPoolDestination of(Map<String, String> dest) {
        String host = dest.get(StorageMotions.HOST);
        String xenops = dest.get(XENOPS);
        String fingerprint = dest.get(FINGERPRINT);
        if (host == null || xenops == null || !describes(dest)) throw ApiError.of("INVALID_VALUE", "dest", String.join(",", dest.keySet()));
        if (fingerprint == null || fingerprint.isBlank()) {
            // without it this host could not tell the destination from whoever answers at its address
            throw ApiError.of("INVALID_VALUE", "dest", "no " + FINGERPRINT + ": the destination pool does not give its host's certificate");
        }
        URI uri;
        try {
            uri = URI.create(xenops);
        } catch (IllegalArgumentException e) {
            throw ApiError.of("INVALID_VALUE", "dest", xenops);
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) throw ApiError.of("INVALID_VALUE", "dest", xenops);
        return new OtherPoolDestination(Host.CLASS.ref(host), uri, dest.get(SESSION), dest.get(MASTER), fingerprint);
    }
}

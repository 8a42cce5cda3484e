package org.flotilla.server;

import java.lang.System.Logger.Level;
import org.flotilla.api.TunnelOutcome;
import org.flotilla.api.TunnelRequest;
import org.flotilla.api.TunnelTarget;

/** The byte streams served on the API's port, by path prefix; both transports (CONNECT, WebSocket) open them here. */
final class TunnelTargets {
    private static final System.Logger LOG = System.getLogger(TunnelTargets.class.getName());
    private final PathPrefixes<TunnelTarget> targets = new PathPrefixes<>();

    void add(String prefix, TunnelTarget target) { targets.add(prefix, target); }

    boolean serves(String path) { return !targets.matching(path).isEmpty(); }

    TunnelOutcome open(TunnelRequest request) {
        var matching = targets.matching(request.path());
        if (matching.isEmpty()) return new TunnelOutcome.Refused(404, "nothing to connect to at " + request.path());
        try {
            return matching.getFirst().open(request);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "opening " + request.path() + " failed", e);
            return new TunnelOutcome.Refused(500, "internal error");
        }
    }
}

package org.flotilla.api;

import java.util.List;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/**
 * A call that belongs to another host of the pool (about that host, a VM resident there, an SR only it reaches),
 * raised before anything was changed here. The dispatcher sends the call there, as XAPI forwards it; where it
 * cannot, the client gets what XAPI answers for a forward it could not make: CANNOT_CONTACT_HOST naming the host.
 */
public final class CallElsewhere extends ApiError {
    private final Ref<Host> host;

    public CallElsewhere(Ref<Host> host) {
        super("CANNOT_CONTACT_HOST", List.of(host.value()));
        this.host = host;
    }

    public Ref<Host> host() { return host; }
}

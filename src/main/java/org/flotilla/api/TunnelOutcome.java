package org.flotilla.api;

import java.nio.channels.ByteChannel;

/** What a {@link TunnelTarget} makes of a request: a connected stream to carry bytes to and from, or a refusal. */
public sealed interface TunnelOutcome {
    /**
     * Carry bytes both ways between the client and {@code upstream} (blocking), until either side ends; then
     * {@code upstream} is closed and {@code task} ends in success, whichever side ended it, as XAPI's console proxy
     * ends. Upstream is a socket (a VM's console) or a login on the host (the control domain's).
     */
    record Opened(ByteChannel upstream, HttpTask task) implements TunnelOutcome {
        /** A stream that runs under no task. */
        public Opened(ByteChannel upstream) { this(upstream, HttpTask.NONE); }
    }

    /** Refused with an HTTP status; nothing is carried. */
    record Refused(int status, String reason) implements TunnelOutcome {}
}

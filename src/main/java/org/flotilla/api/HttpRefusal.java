package org.flotilla.api;

import org.flotilla.model.ApiError;

/**
 * A request to an HTTP handler beside the API, refused: the HTTP status its client gets, and the XenAPI error the
 * request's task fails with (the client that waits on the task learns why from its error_info).
 */
public final class HttpRefusal extends RuntimeException {
    private final int status;
    private final ApiError error;

    public HttpRefusal(int status, ApiError error) {
        super(status + " " + error.getMessage(), null, false, false);
        this.status = status;
        this.error = error;
    }

    public int status() { return status; }

    public ApiError error() { return error; }

    /** The refusal's text for the reply: the error as error_info has it, code first. */
    public String reason() { return String.join(" ", error.description()); }

    /** The same refusal of a tunnel (a console over CONNECT or a WebSocket). */
    public TunnelOutcome.Refused asTunnelOutcome() { return new TunnelOutcome.Refused(status, reason()); }
}

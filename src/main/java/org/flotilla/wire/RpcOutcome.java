package org.flotilla.wire;

import org.flotilla.model.ApiError;

/** What a call came to: the value of a success or the XenAPI error of a failure. Both sides of the wire use it. */
public sealed interface RpcOutcome {

    /** {@code value} null means void, which XAPI writes as the empty string. */
    record Success(Object value) implements RpcOutcome {}

    record Failure(ApiError error) implements RpcOutcome {
        public Failure {
            java.util.Objects.requireNonNull(error, "error");
        }
    }

    static RpcOutcome success(Object value) { return new Success(value); }

    static RpcOutcome failure(ApiError error) { return new Failure(error); }

    /** The value, or the error thrown: what a client library hands its caller. */
    default Object valueOrThrow() {
        return switch (this) {
            case Success s -> s.value();
            case Failure f -> throw f.error();
        };
    }
}

package org.flotilla.wire;

import java.util.Objects;

/** A parsed JSON-RPC request: its version, its id (a {@code Long} or a {@code String}, echoed in the reply) and the call. */
public record JsonRpcRequest(JsonRpcVersion version, Object id, RpcCall call) {
    public JsonRpcRequest {
        Objects.requireNonNull(version);
        if (!(id instanceof Long || id instanceof String)) throw new IllegalArgumentException("id must be a Long or String: " + id);
        Objects.requireNonNull(call);
    }
}

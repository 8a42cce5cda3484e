package org.flotilla.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** A decoded call: the method name as the client spelled it and its parameters in order. */
public record RpcCall(String method, List<Object> params) {
    public RpcCall {
        Objects.requireNonNull(method, "method");
        // parameters may hold nulls (XML-RPC <nil/>, JSON null), which List.copyOf refuses
        params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    public static RpcCall of(String method, Object... params) {
        return new RpcCall(method, java.util.Arrays.asList(params));
    }
}

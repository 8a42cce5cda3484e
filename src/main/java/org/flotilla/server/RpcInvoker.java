package org.flotilla.server;

import org.flotilla.api.Rpc;
import org.flotilla.model.ApiError;
import org.flotilla.wire.RpcCall;
import org.flotilla.wire.RpcOutcome;

/** Runs a decoded call; whatever escapes other than an ApiError becomes INTERNAL_ERROR, as XAPI reports exceptions. */
final class RpcInvoker {
    private static final System.Logger LOG = System.getLogger(RpcInvoker.class.getName());

    private final Rpc rpc;

    RpcInvoker(Rpc rpc) { this.rpc = rpc; }

    RpcOutcome invoke(RpcCall call, String clientAddress) {
        try {
            return RpcOutcome.success(rpc.call(call.method(), call.params(), clientAddress));
        } catch (ApiError e) {
            return RpcOutcome.failure(e);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(System.Logger.Level.ERROR, "call " + call.method() + " failed", e);
            return RpcOutcome.failure(ApiError.internal(e.toString()));
        }
    }
}

package org.flotilla.wire;

/** A parsed JSON-RPC reply, for clients: the version it was written in, the id it echoes, and the outcome. */
public record JsonRpcReply(JsonRpcVersion version, Object id, RpcOutcome outcome) {}

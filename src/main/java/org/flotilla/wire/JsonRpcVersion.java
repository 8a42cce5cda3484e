package org.flotilla.wire;

/** JSON-RPC 2.0 when the request says {@code "jsonrpc": "2.0"}, 1.0 otherwise; the reply follows the request. */
public enum JsonRpcVersion { V1, V2 }

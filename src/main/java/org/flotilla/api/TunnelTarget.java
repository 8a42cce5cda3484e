package org.flotilla.api;

/**
 * Where the byte streams under one path prefix of the API's port lead (the VM consoles under {@code /console}).
 * Transports (HTTP CONNECT, WebSocket) live in the server; the target decides who may have which stream.
 */
@FunctionalInterface
public interface TunnelTarget {
    TunnelOutcome open(TunnelRequest request);
}

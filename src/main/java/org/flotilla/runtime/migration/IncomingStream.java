package org.flotilla.runtime.migration;

/**
 * Where the source sends a VM's migration stream: a TCP address and port of the destination daemon, which lets
 * in one connection that opens with {@code token} (then a newline).
 */
public record IncomingStream(String address, int port, String token) {}

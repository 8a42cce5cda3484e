package org.flotilla.runtime.migration;

import java.util.Map;

/**
 * Where the source sends a VM's migration stream: a TCP address and port of the destination daemon, which lets
 * in one connection that opens with {@code token} (then a newline). When disks move with the VM, {@code disks} maps
 * each of the source's VDIs to the one made for it there, and {@code disksPort} lets in one connection per disk, each
 * opening with the same token and a newline, relayed to the destination QEMU's NBD server (where the NBD handshake
 * names the disk's export).
 */
public record IncomingStream(String address, int port, String token, int disksPort, Map<String, String> disks) {
    public IncomingStream {
        disks = Map.copyOf(disks);
    }

    /** A stream that brings no disks. */
    public IncomingStream(String address, int port, String token) { this(address, port, token, 0, Map.of()); }
}

package org.flotilla.runtime.migration;

import java.util.Map;

/**
 * Where the source sends a VM's migration stream: a TCP address and port of the destination daemon, which hands the
 * destination's QEMU the one connection that opens with {@code token} (then a newline), for QEMU to speak TLS on,
 * showing {@code certificate} (PEM). When disks move with the VM, {@code disks} maps each of the source's VDIs to the
 * one made for it there, and {@code disksPort} is where the destination's NBD server (its QEMU's, or for a halted VM
 * a storage daemon's) takes one TLS connection per disk, the NBD handshake naming the disk's export. The disks that
 * no VBD of the VM plugs (its snapshots' and checkpoints' disks, which XAPI copies along unmirrored) are served at
 * {@code copiesPort} by a storage daemon, each export named {@link ArrivingDisks#copyExport} after the VDI made for it.
 */
public record IncomingStream(String address, int port, String token, int disksPort, Map<String, String> disks, String certificate,
                             int copiesPort) {
    public IncomingStream {
        disks = Map.copyOf(disks);
    }

    /** A way in with no disks to copy besides the VM's own. */
    public IncomingStream(String address, int port, String token, int disksPort, Map<String, String> disks, String certificate) {
        this(address, port, token, disksPort, disks, certificate, 0);
    }

    /** The same way in, its memory port elsewhere (tests put themselves between the hosts). */
    public IncomingStream withPort(int port) { return new IncomingStream(address, port, token, disksPort, disks, certificate, copiesPort); }
}

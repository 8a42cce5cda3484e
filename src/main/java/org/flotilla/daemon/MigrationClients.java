package org.flotilla.daemon;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The HTTPS clients this host calls the destinations of its migrations with, one per member and kept from one
 * migration to the next: a new client per migration cost a TLS handshake (and a selector thread) each time. A member
 * whose address, or the pool's secret, changed gets a new one; the trust in its certificates is read at each handshake.
 */
final class MigrationClients {
    private record Client(String hostPort, String secret, MemberCalls calls) {}

    private final ConcurrentHashMap<String, Client> byMember = new ConcurrentHashMap<>();

    /** The client for the member {@code uuid} at {@code hostPort}, made by {@code make} unless one is kept for it. */
    MemberCalls of(String uuid, String hostPort, String secret, Supplier<MemberCalls> make) {
        return byMember.compute(uuid, (k, kept) -> kept != null && kept.hostPort().equals(hostPort) && kept.secret().equals(secret)
                ? kept : new Client(hostPort, secret, make.get())).calls();
    }
}

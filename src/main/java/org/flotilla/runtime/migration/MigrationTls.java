package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.flotilla.model.ApiError;
import org.flotilla.raft.MemberTls;

/**
 * The TLS of the connections between daemons that carry migrations (a VM's memory, its disks' NBD): TLS 1.3, each
 * side showing its host's certificate, the one the pool pins. Whom each connection trusts is given with it
 * ({@link PeerTrust}): a source expects the destination host's own certificate, a destination the pool's members (or
 * anyone, for a source outside the pool, which the token alone lets in). Nothing crosses between hosts in clear.
 */
public final class MigrationTls {
    private static final String[] TLS_1_3 = {"TLSv1.3"};
    /** How long a connection may take to connect and show who it is before it is closed. */
    static final Duration HANDSHAKE = Duration.ofSeconds(10);

    private final Supplier<MemberTls> identity;
    private final Supplier<Set<String>> members;

    /**
     * {@code identity}: this host's key and certificate (asked for at each connection, so it may be made on first
     * use); {@code members}: the SHA-256 fingerprints of the pool's members' certificates.
     */
    public MigrationTls(Supplier<MemberTls> identity, Supplier<Set<String>> members) {
        this.identity = identity;
        this.members = members;
    }

    /** A host without a TLS identity takes in no migration and sends none: there is no path in clear. */
    public static MigrationTls none() {
        return new MigrationTls(() -> { throw ApiError.internal("this host has no TLS identity for migrations"); }, Set::of);
    }

    /** The pool's members, as a destination trusts its sources. */
    PeerTrust members() { return new PeerTrust.Pinned(members); }

    /** Fails now, rather than at the first connection, if this host has no identity to show. */
    void requireIdentity() { identity.get(); }

    /** The way to a destination's port: {@code destination} is whom it must be. */
    MigrationDial dial(String address, int port, PeerTrust destination, String token) {
        return new MigrationDial(this, address, port, destination, token);
    }

    /** As the connecting side, which must know whom it reaches. */
    TlsChannel connect(SocketChannel tcp, PeerTrust destination) throws IOException {
        if (!(destination instanceof PeerTrust.Pinned pinned)) throw new IllegalArgumentException("a source must pin its destination's certificate");
        SSLEngine engine = identity.get().sslContext(pinned.fingerprints()).createSSLEngine();
        engine.setUseClientMode(true);
        return handshake(tcp, engine);
    }

    /** As the side connected to: a client certificate required of pinned sources, none asked of anyone else. */
    TlsChannel accept(SocketChannel tcp, PeerTrust sources) throws IOException {
        SSLContext context = identity.get().sslContext(sources instanceof PeerTrust.Pinned p ? p.fingerprints() : Set::of);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(sources instanceof PeerTrust.Pinned);
        return handshake(tcp, engine);
    }

    private static TlsChannel handshake(SocketChannel tcp, SSLEngine engine) throws IOException {
        engine.setEnabledProtocols(TLS_1_3);
        try (var deadline = Deadline.closing(tcp, HANDSHAKE)) {
            return TlsChannel.handshake(tcp, engine);
        }
    }
}

package org.flotilla.daemon;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.HttpCalls;
import org.flotilla.cli.CliEndpoint;
import org.flotilla.cli.CliSocket;
import org.flotilla.api.PasswordFile;
import org.flotilla.db.Database;
import org.flotilla.host.HostFacts;
import org.flotilla.host.HostPower;
import org.flotilla.metrics.RrdHttp;
import org.flotilla.pool.MemberFile;
import org.flotilla.runtime.console.ConsoleHttp;
import org.flotilla.runtime.console.ConsoleLookup;
import org.flotilla.runtime.console.ConsoleTunnels;
import org.flotilla.runtime.console.HostLogins;
import org.flotilla.server.ApiServer;
import org.flotilla.storage.NbdServer;
import org.flotilla.storage.RawVdiHttp;
import org.flotilla.xva.XvaHttp;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.server.HostCertificate;
import org.flotilla.wire.XmlRpc;

/**
 * One run of a host's toolstack: the node on its database (its own journal, or the pool's replicated one when the
 * state directory says it is a member), the API server in front of it, and its part in the pool.
 */
record Toolstack(Node node, ApiServer server, PoolMembers members, Runnable alsoClose) implements AutoCloseable {
    // node is null in emergency mode: the member serves from its copy of the pool database without building on it
    private static final System.Logger LOG = System.getLogger(Toolstack.class.getName());

    /** What stays the same across restarts; {@code restart} restarts the toolstack after a pool change. */
    record Settings(Path stateDir, ApiServerConfig config, String address, ApiLimits limits, int poolPort, Consumer<Runnable> restart,
                    HostPower.Agent agent) {}

    static Toolstack start(Settings s) {
        long t0 = System.nanoTime();
        Path stateDir = s.stateDir();
        PoolMembers.forgetLeftPool(stateDir);
        var passwords = new PasswordFile(stateDir.resolve("passwd"));
        HostFacts facts = HostFacts.read(s.address());
        var cert = HostCertificate.loadOrCreate(stateDir, facts.hostname(), List.of(s.address()));
        var members = new PoolMembers(stateDir, s.address(), s.poolPort(), s.config().httpsPort(), cert, s.restart());
        Node node;
        try {
            Optional<MemberFile> member = MemberFile.read(stateDir);
            if (member.isPresent()) {
                Optional<Database> opened = members.openAsMember(member.get());
                if (opened.isEmpty()) return EmergencyToolstack.start(s, members, passwords, cert);
                Database db = opened.get();
                LOG.log(Level.INFO, "pool database " + member.get().group() + " caught up in " + millisSince(t0) + " ms");
                node = new Node(stateDir, db, passwords, facts, XmlRpc::writeValue, s.limits(), members);
            } else {
                node = new Node(stateDir, Journals.open(stateDir), passwords, facts, XmlRpc::writeValue, s.limits(), members);
            }
        } catch (RuntimeException e) {
            members.close();
            throw e;
        }
        node.power().setAgent(s.agent());
        members.attach(node);
        node.rpc().forwardThrough(members.forwarder());
        node.vmRuntime().setMigrationPeers(members.migrationPeers());
        node.vmRuntime().setOtherPools(new OtherPoolCalls());
        node.migrationReceipts().setFingerprint(cert.sha256Fingerprint());
        LOG.log(Level.INFO, "host records ready in " + millisSince(t0) + " ms");
        var server = new ApiServer(node.rpc(), cert, s.config());
        var calls = new HttpCalls(node.tasks(), node.sessions());
        var consoles = new ConsoleLookup(node.db(), node.vmRuntime().domains(), node.host());
        server.addHandler("/console", new ConsoleHttp(consoles, calls));
        for (RrdHttp.Kind kind : RrdHttp.Kind.values()) {
            var h = new RrdHttp(node.metrics(), calls, kind);
            server.addHandler(h.path(), h);
        }
        for (RawVdiHttp.Kind kind : RawVdiHttp.Kind.values()) {
            server.addHandler(kind.path(), new RawVdiHttp(node.db(), node.storage().streams(), calls, kind));
        }
        Path staging = XvaHttp.stagingIn(stateDir);
        for (XvaHttp.Kind kind : XvaHttp.Kind.values()) {
            server.addHandler(kind.path(), new XvaHttp(node.db(), node.rpc(), node.storage().streams(), calls, kind, staging));
        }
        var hostLogins = new HostLogins();
        server.addTunnel("/console", new ConsoleTunnels(consoles, calls, hostLogins));
        server.addHandler(MembersHttp.PATH, new MembersHttp(members));
        server.addHandler(CliEndpoint.path(), new CliEndpoint(node.rpc()));
        server.addHandler(OtherPoolMigrationsHttp.PATH, new OtherPoolMigrationsHttp(node.sessions(), node.vmRuntime().otherPoolArrivals()));
        try {
            server.start();
        } catch (RuntimeException e) {
            node.close();
            members.close();
            throw e;
        }
        node.vmRuntime().servedOn(server.httpsPort());
        Node served = node;
        String self = s.config().bindAddress() == null ? "127.0.0.1" : s.config().bindAddress();
        NbdServer nbd = DiskNbd.start(node, cert, facts.hostname(), s.config());
        CliSocket xe = CliSocket.open(stateDir, node.rpc(), () -> served.sessions().preauthenticated("root", "cli").value(), self, server.httpsPort());
        LOG.log(Level.INFO, "toolstack serving in " + millisSince(t0) + " ms");
        return new Toolstack(node, server, members, () -> {
            if (xe != null) xe.close();
            if (nbd != null) nbd.close();
            hostLogins.close();
        });
    }

    private static long millisSince(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

    boolean inEmergencyMode() { return node == null; }

    @Override
    public void close() {
        server.close();
        if (node != null) node.close();
        alsoClose.run();
        members.close();
    }
}

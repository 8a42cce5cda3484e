package org.flotilla.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.PasswordFile;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.metrics.RrdHttp;
import org.flotilla.runtime.console.ConsoleHttp;
import org.flotilla.runtime.console.ConsoleTunnels;
import org.flotilla.server.ApiServer;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.server.HostCertificate;
import org.flotilla.wire.XmlRpc;

/** A running host: its {@link Node} served over HTTPS. The daemon's main runs one; tests run several. */
public final class Daemon implements AutoCloseable {
    private final Node node;
    private final ApiServer server;

    private Daemon(Node node, ApiServer server) {
        this.node = node;
        this.server = server;
    }

    /**
     * Opens the state directory (creating it), sets root's password if one is given, and serves the API.
     * {@code address} is the address clients reach this host at (null: the first non-loopback IPv4).
     */
    public static Daemon start(Path stateDir, ApiServerConfig config, String rootPassword, String address) {
        return start(stateDir, config, rootPassword, address, ApiLimits.defaults());
    }

    /** The same, with other bounds on what clients may do than XAPI's. */
    public static Daemon start(Path stateDir, ApiServerConfig config, String rootPassword, String address, ApiLimits limits) {
        try {
            Files.createDirectories(stateDir);
            var passwords = new PasswordFile(stateDir.resolve("passwd"));
            if (rootPassword != null) passwords.set(rootPassword);
            else if (!passwords.exists()) throw new IllegalStateException("no root password set: give one at first start");
            String hostAddress = address != null ? address : primaryAddress();
            HostFacts facts = HostFacts.read(hostAddress);
            Journal journal = Journals.open(stateDir);
            Node node = new Node(stateDir, journal, passwords, facts, XmlRpc::writeValue, limits);
            var names = new ArrayList<>(List.of(hostAddress));
            var cert = HostCertificate.loadOrCreate(stateDir, facts.hostname(), names);
            var server = new ApiServer(node.rpc(), cert, config);
            server.addHandler("/console", new ConsoleHttp(node.db(), node.vmRuntime().domains()));
            for (RrdHttp.Kind kind : RrdHttp.Kind.values()) {
                var h = new RrdHttp(node.metrics(), kind);
                server.addHandler(h.path(), h);
            }
            server.addTunnel("/console", new ConsoleTunnels(node.db(), node.vmRuntime().domains()));
            try {
                server.start();
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
            return new Daemon(node, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Node node() { return node; }

    public ApiServer server() { return server; }

    public int httpsPort() { return server.httpsPort(); }

    @Override
    public void close() {
        server.close();
        node.close();
    }

    static String primaryAddress() {
        try {
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                if (!nif.isUp() || nif.isLoopback()) continue;
                for (InetAddress a : nif.inetAddresses().toList()) {
                    if (a instanceof Inet4Address) return a.getHostAddress();
                }
            }
        } catch (SocketException e) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }
}

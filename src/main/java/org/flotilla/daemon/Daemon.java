package org.flotilla.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.PasswordFile;
import org.flotilla.host.HostPower;
import org.flotilla.server.ApiServer;
import org.flotilla.server.ApiServerConfig;

/**
 * A running host: its {@link Node} served over HTTPS. The daemon's main runs one; tests run several. Joining or
 * leaving a pool restarts the toolstack in place, as XAPI restarts after pool.join, on the other database.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    /** The port members serve the pool database on (gRPC over mutual TLS), unless told otherwise. */
    public static final int POOL_PORT = 8444;
    /** How long pool.join's reply has to reach the client before the toolstack restarts. */
    private static final Duration RESTART_DELAY = Duration.ofMillis(500);

    private final Path stateDir;
    private final String address;
    private final ApiLimits limits;
    private final int poolPort;
    private final CountDownLatch closed = new CountDownLatch(1);
    private ApiServerConfig config;
    private volatile Toolstack toolstack;
    private boolean stopped;

    private Daemon(Path stateDir, ApiServerConfig config, String address, ApiLimits limits, int poolPort) {
        this.stateDir = stateDir;
        this.config = config;
        this.address = address;
        this.limits = limits;
        this.poolPort = poolPort;
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
        return start(stateDir, config, rootPassword, address, limits, POOL_PORT);
    }

    /** The same, serving the pool database, once this host is in a pool of several, on {@code poolPort}. */
    public static Daemon start(Path stateDir, ApiServerConfig config, String rootPassword, String address, ApiLimits limits, int poolPort) {
        try {
            Files.createDirectories(stateDir);
            var passwords = new PasswordFile(stateDir.resolve("passwd"));
            if (rootPassword != null) passwords.set(rootPassword);
            else if (!passwords.exists()) throw new IllegalStateException("no root password set: give one at first start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var daemon = new Daemon(stateDir, config, address != null ? address : primaryAddress(), limits, poolPort);
        daemon.toolstack = Toolstack.start(daemon.settings());
        // a restart binds the port the first start got, even when the configuration asked for any free one
        daemon.config = config.withHttpsPort(daemon.toolstack.server().httpsPort());
        return daemon;
    }

    private Toolstack.Settings settings() {
        return new Toolstack.Settings(stateDir, config, address, limits, poolPort, this::restartSoon, new HostPower.Agent() {
            @Override public void restartSoon() { Daemon.this.restartSoon(() -> { }); }

            @Override public void stopSoon() { afterPause("toolstack-stop", Daemon.this::close); }
        });
    }

    /**
     * Restarts the toolstack on whatever the state directory now says (a pool's database after a join, its own
     * after an eject), after a short pause so that the call that asked for it can answer first; {@code between} runs
     * once the old toolstack has closed and before the new one starts (a change to the pool database's files).
     */
    void restartSoon(Runnable between) { afterPause("toolstack-restart", () -> restart(between)); }

    private static void afterPause(String name, Runnable action) {
        Thread.ofPlatform().name(name).start(() -> {
            try {
                Thread.sleep(RESTART_DELAY);
                action.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, name + " failed", e);
            }
        });
    }

    /** Stops the toolstack and starts it again on the same state directory and port. */
    public void restart() { restart(() -> { }); }

    private synchronized void restart(Runnable between) {
        if (stopped) return;
        toolstack.close();
        between.run();
        toolstack = Toolstack.start(settings());
    }

    /** This host's node; null while the daemon is in emergency mode (a member that reaches no coordinator). */
    public Node node() { return toolstack.node(); }

    /** Whether this member serves in emergency mode, its coordinator out of reach. */
    public boolean inEmergencyMode() { return toolstack.inEmergencyMode(); }

    public ApiServer server() { return toolstack.server(); }

    public int httpsPort() { return toolstack.server().httpsPort(); }

    /** Waits until the daemon is closed: restarts of its toolstack do not end the wait. */
    public void join() throws InterruptedException { closed.await(); }

    @Override
    public synchronized void close() {
        if (stopped) return;
        stopped = true;
        toolstack.close();
        closed.countDown();
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

package org.flotilla.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flotilla.TestTimeouts;
import org.flotilla.qemu.TestGuest;

/**
 * The hosts of a pool test: {@code n} real daemons, each in its own network namespace of one {@link TestNetwork},
 * each with its own state directory, certificate and address, all serving HTTPS on port {@value TestHost#PORT}
 * and sharing root's password. They start in parallel; {@link #start} returns when each answers a login.
 *
 * <pre>{@code
 * try (var pool = TestHosts.start(3)) {
 *     TestHost a = pool.host(0), b = pool.host(1);
 *     a.call("host.get_record", ...);          // root's session on a, over HTTPS at a.address()
 *     b.cutLink(); ... b.restoreLink();        // b's veth down at the bridge, and up again
 *     b.kill(); b.restart();                   // SIGKILL, then a new daemon on b's state
 *     a.exec("curl", ...);                     // a command run on host a (its namespace and hostname)
 * }
 * }</pre>
 *
 * <p>{@link #close()} hard-shuts through the API every VM that runs (a daemon that stops leaves its VMs
 * running, by design), stops the daemons, kills whatever still runs in the namespaces or has a pid file in a run
 * directory of theirs, removes their VMs' cgroups, the namespaces, links and files. A shutdown hook does the
 * killing and removing should the test never get to close, and the next run's start sweeps what a crashed run
 * (a dead pid in the names) left.
 */
public final class TestHosts implements AutoCloseable {
    private static final long STOP_SECONDS = 90;
    /** How long the members of a pool being formed may take to serve in it (a join restarts their toolstacks). */
    private static final Duration FORM = Duration.ofSeconds(60L * TestTimeouts.LOADED);

    private final TestNetwork network;
    private final List<TestHost> hosts = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestHosts(TestNetwork network) { this.network = network; }

    /** {@code count} hosts, each serving, with the test guest built (its template is on every host). */
    public static TestHosts start(int count) throws IOException, InterruptedException {
        TestGuest.ensureBuilt();
        var pool = new TestHosts(TestNetwork.create(count));
        try {
            String password = HexFormat.of().formatHex(randomBytes(12));
            Path passwordFile = Files.writeString(Files.createFile(pool.network.dir().resolve("password"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), password + "\n");
            for (int i = 0; i < count; i++) pool.hosts.add(new TestHost(pool.network, i, passwordFile, password));
            pool.hosts.forEach(TestHost::launch);
            for (TestHost h : pool.hosts) h.awaitServing();
            return pool;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /**
     * {@code count} hosts made one pool: every host but the first joined to the first's, one after another as
     * PoolJoinTest does (the path proven under load), each serving as a member before the next joins; it returns when
     * every host lists {@code count} hosts. Host 0 coordinates.
     */
    public static TestHosts startPool(int count) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        TestHosts pool = start(count);
        try {
            long t1 = System.nanoTime();
            TestHost first = pool.host(0);
            for (int i = 1; i < count; i++) {
                TestHost h = pool.host(i);
                h.call("pool.join", first.address(), "root", first.password());
                PoolWaits.awaitMember(h, i + 1, FORM);
            }
            pool.awaitEveryHostListed();
            System.out.printf("%d hosts serving in %d ms, one pool %d ms later%n", count, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
            return pool;
        } catch (InterruptedException | RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /** Every host but the first joins the first's pool, all at once; returns when each serves as a member of them all. */
    public void joinAll() throws InterruptedException {
        TestHost first = hosts.getFirst();
        List<TestHost> joiners = hosts.subList(1, hosts.size());
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var joins = new ArrayList<Future<Object>>();
            for (TestHost h : joiners) {
                joins.add(threads.submit((Callable<Object>) () -> h.call("pool.join", first.address(), "root", first.password())));
            }
            for (Future<Object> j : joins) j.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError("pool.join", e.getCause());
        }
        for (TestHost h : joiners) PoolWaits.awaitMember(h, hosts.size(), FORM);
        awaitEveryHostListed();
    }

    private void awaitEveryHostListed() {
        for (TestHost h : hosts) PoolWaits.await(FORM, h + " to list " + hosts.size() + " hosts", () -> PoolWaits.hosts(h).size() == hosts.size());
    }

    public TestHost host(int i) { return hosts.get(i); }

    public List<TestHost> hosts() { return List.copyOf(hosts); }

    public TestNetwork network() { return network; }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            var executor = Executors.newVirtualThreadPerTaskExecutor();
            for (TestHost h : hosts) executor.submit(() -> shutDown(h));
            executor.shutdown();
            // bounded: a daemon that hangs is killed with the rest below, which ends its calls too
            executor.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            network.close();
        }
    }

    /** The host's running VMs hard-shut through its API, then its daemon stopped. */
    private static Void shutDown(TestHost h) throws InterruptedException {
        if (h.isAlive() && h.session() != null) {
            try {
                h.shutDownVms();
            } catch (RuntimeException e) {
                // the network's close kills the QEMUs left
            }
        }
        h.stop();
        return null;
    }

    private static byte[] randomBytes(int n) {
        var b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}

package org.flotilla.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flotilla.pool.TestHost;
import org.flotilla.pool.TestHosts;
import org.flotilla.pool.TestNetwork;

/**
 * A pool of daemons in network namespaces on one bridge (the pool tests' {@link TestHosts}) for a bench: the first
 * the coordinator, every other joined to it. Closed at the end, or at exit if the bench is interrupted.
 */
final class BenchPool implements AutoCloseable {
    private static final Duration JOIN = Duration.ofMinutes(2);

    private final TestHosts hosts;
    private final Thread hook;

    private BenchPool(TestHosts hosts) {
        this.hosts = hosts;
        this.hook = new Thread(hosts::close, "bench-pool-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static BenchPool form(int n) throws Exception {
        var pool = new BenchPool(TestHosts.start(n));
        try {
            TestHost coordinator = pool.host(0);
            for (int i = 1; i < n; i++) {
                pool.host(i).call("pool.join", coordinator.address(), "root", coordinator.password());
                awaitMember(pool.host(i), i + 1);
            }
            return pool;
        } catch (Exception | Error e) {
            pool.close();
            throw e;
        }
    }

    TestHost host(int i) { return hosts.host(i); }

    TestNetwork network() { return hosts.network(); }

    /**
     * The end of what every daemon logged of its own (not the libraries' lines, not stack frames), for a bench that
     * failed: the logs go with the pool.
     */
    String logTails(int lines) {
        var out = new StringBuilder();
        for (TestHost h : hosts.hosts()) {
            List<String> log = h.log().lines().filter(l -> l.contains(" org.flotilla.") && !l.stripLeading().startsWith("at ")).toList();
            out.append("--- ").append(h).append("'s log, its last ").append(lines).append(" lines of Flotilla's own\n");
            log.subList(Math.max(0, log.size() - lines), log.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /** Waits until {@code h}, whose toolstack restarts on the pool's database, serves in a pool of {@code size}. */
    private static void awaitMember(TestHost h, int size) throws InterruptedException {
        long deadline = System.nanoTime() + JOIN.toNanos();
        while (true) {
            try {
                h.awaitServing(); // a new session
                if (((Map<?, ?>) h.call("host.get_all_records")).size() == size) return;
            } catch (AssertionError | RuntimeException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException(h + " did not join");
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        hosts.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running: it closes them
        }
    }
}

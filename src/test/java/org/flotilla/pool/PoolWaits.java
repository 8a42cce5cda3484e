package org.flotilla.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.model.ApiError;

/** Waiting on pool members whose toolstacks restart (after a join or an eject) or whose coordinator changes. */
final class PoolWaits {
    private PoolWaits() {}

    /** Waits until {@code condition} holds, taking API errors on the way (a member between coordinators, or restarting). */
    static void await(Duration limit, String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (condition.get()) return;
            } catch (ApiError e) {
                // not yet
            }
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Waits for a host whose toolstack restarted to serve again in a pool of {@code hosts}, in a new session. */
    static void awaitMember(TestHost h, int hosts, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                h.awaitServing();
                if (hosts(h).size() == hosts) return;
            } catch (ApiError | AssertionError e) {
                if (System.nanoTime() > deadline) throw e;
            }
            if (System.nanoTime() > deadline) throw new AssertionError(h + " did not come to a pool of " + hosts);
            Thread.sleep(200);
        }
    }

    static Map<?, ?> hosts(TestHost h) { return (Map<?, ?>) h.call("host.get_all_records"); }

    static String firstPool(TestHost h) { return (String) ((List<?>) h.call("pool.get_all")).getFirst(); }
}

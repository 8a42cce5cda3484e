package org.flotilla.pool;

import static org.flotilla.TestTimeouts.LOADED;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pool of daemons that a test class forms once and lends to its cases in turn, since forming one (daemons started,
 * joins that restart toolstacks) costs more than most cases. Each case gets the pool whole: every link up, every
 * daemon serving as a member of one pool that host 0 coordinates, no VM left by an earlier case. A case that killed
 * a daemon or cut a link may leave that to {@link #giveBack}; a pool that cannot be made whole again is closed, and
 * the next case gets a new one, so that one case's failure does not fail the next.
 *
 * <pre>{@code
 * private static final SharedTestPool POOL = new SharedTestPool(2, pool -> ...set up once per pool formed...);
 * @BeforeEach void lend() throws Exception { pool = POOL.lend(); }
 * @AfterEach void giveBack() throws InterruptedException { POOL.giveBack(); }
 * @AfterAll static void close() { POOL.close(); }
 * }</pre>
 */
final class SharedTestPool implements AutoCloseable {
    private static final Duration WHOLE_AGAIN = Duration.ofSeconds(60L * LOADED);

    /** What a pool needs besides its members, made each time one is formed. */
    interface SetUp {
        void on(TestHosts pool) throws Exception;
    }

    private final int count;
    private final SetUp setUp;
    private TestHosts pool;
    private int formed;

    SharedTestPool(int count, SetUp setUp) {
        this.count = count;
        this.setUp = setUp;
    }

    /** The pool for the next case: the one the last case gave back, or a new one. */
    TestHosts lend() throws Exception {
        if (pool == null) {
            pool = TestHosts.startPool(count);
            formed++;
            try {
                setUp.on(pool);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }
        return pool;
    }

    /** After a case, whether it passed or not: the pool made whole for the next, or closed. */
    void giveBack() throws InterruptedException {
        if (pool == null) return;
        try {
            makeWhole();
        } catch (RuntimeException | AssertionError e) {
            System.out.printf("the pool is closed, the next case gets a new one: %s%n", e);
            close();
        } catch (InterruptedException e) {
            close();
            throw e;
        }
    }

    /** How many pools were formed so far: one, unless a case broke one. */
    int formed() { return formed; }

    @Override
    public void close() {
        if (pool != null) pool.close();
        pool = null;
    }

    private void makeWhole() throws InterruptedException {
        for (TestHost h : pool.hosts()) h.restoreLink();
        for (TestHost h : pool.hosts()) {
            if (!h.isAlive()) h.restart();
        }
        for (TestHost h : pool.hosts()) PoolWaits.awaitMember(h, count, WHOLE_AGAIN);
        TestHost first = pool.host(0);
        Object coordinator = first.call("pool.get_master", PoolWaits.firstPool(first));
        if (!first.hostRef().equals(coordinator)) throw new AssertionError(first + " no longer coordinates: " + coordinator);
        removeVms(first);
    }

    /** Every VM but templates and control domains, stopped and destroyed with the disks no other VM has. */
    @SuppressWarnings("unchecked")
    private static void removeVms(TestHost h) {
        var vms = (Map<String, Map<String, Object>>) h.call("VM.get_all_records");
        vms.forEach((ref, vm) -> {
            if (Boolean.TRUE.equals(vm.get("is_a_template")) || Boolean.TRUE.equals(vm.get("is_control_domain"))) return;
            if (!"Halted".equals(vm.get("power_state"))) h.call("VM.hard_shutdown", ref);
            var vdis = new ArrayList<String>();
            for (Object vbd : (List<?>) vm.get("VBDs")) {
                String vdi = (String) h.call("VBD.get_VDI", vbd);
                if (!vdi.equals("OpaqueRef:NULL")) vdis.add(vdi);
            }
            h.call("VM.destroy", ref);
            for (String vdi : vdis) {
                if (((List<?>) h.call("VDI.get_VBDs", vdi)).isEmpty()) h.call("VDI.destroy", vdi);
            }
        });
    }
}

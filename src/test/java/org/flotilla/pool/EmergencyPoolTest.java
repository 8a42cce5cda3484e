package org.flotilla.pool;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.Slow;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A pool of three daemons that loses its coordinator and another member for good, as XAPI's administrator meets it:
 * the last member, restarted, serves in emergency mode (logins to itself alone over XML-RPC, reads of its copy, every
 * other call refused with HOST_IS_SLAVE) until a majority is back, then, restarted alone again, becomes the coordinator with pool.emergency_transition_to_master, fences
 * the dead host's VM with VM.power_state_reset and starts one of its own; a killed member started again is brought
 * into the new pool by pool.recover_slaves. On the way, host.shutdown/reboot/restart_agent/power_on as XAPI checks
 * them. The steps build on each other, in order.
 */
@Slow
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmergencyPoolTest {
    private static final Duration SETTLE = Duration.ofSeconds(60L * LOADED);
    /**
     * How long a member started by a step waits for a coordinator before it serves in emergency mode: shorter than a
     * real pool's 20 s, which the steps would wait out three times, yet several elections' length (one takes about a
     * second). The pool is formed with the real 20 s: a founder's start on a machine under load may take longer.
     */
    private static final long EMERGENCY_AFTER_SECONDS = 6;
    private static final List<String> SHORT_EMERGENCY = List.of("-Dflotilla.emergency-after=" + EMERGENCY_AFTER_SECONDS);
    /** A member waits that long for a coordinator, then starts its API. */
    private static final Duration EMERGENCY = Duration.ofSeconds(EMERGENCY_AFTER_SECONDS + 30L * LOADED);

    private TestHosts pool;
    private TestHost h0;
    private TestHost h1;
    private TestHost h2;
    /** A guest started on h1, which dies with it. */
    private String stranded;

    @BeforeAll
    void startPool() throws Exception {
        pool = TestHosts.startPool(3);
        h0 = pool.host(0);
        h1 = pool.host(1);
        h2 = pool.host(2);
    }

    @AfterAll
    void close() { pool.close(); }

    @Test
    @Order(1)
    void shutdownAndRebootWaitForADisabledHostWithoutVms() throws Exception {
        assertEquals(List.of("HOST_NOT_DISABLED"), refusal(() -> h0.call("host.shutdown", h1.hostRef())));
        assertEquals(List.of("HOST_NOT_DISABLED"), refusal(() -> h1.call("host.reboot", h1.hostRef())));
        assertEquals(List.of("HOST_IS_LIVE", h1.hostRef()), refusal(() -> h0.call("host.power_on", h1.hostRef())));

        stranded = guest(h1, "stranded on h1"); // made where it starts: another member's copy may not have the last write yet
        h1.call("VM.start_on", stranded, h1.hostRef(), false, false);
        assertEquals(h1.hostRef(), h0.call("VM.get_resident_on", stranded));
        h0.call("host.disable", h1.hostRef(), true);
        assertEquals(List.of("HOST_HAS_RESIDENT_VMS", h1.hostRef()), refusal(() -> h0.call("host.shutdown", h1.hostRef())));
        assertTrue(h1.isAlive());
        h0.call("host.enable", h1.hostRef());

        // reboot: the toolstack starts again in place and the host enables itself, as after a reboot
        h2.call("host.disable", h2.hostRef(), true);
        Rpc rpc = RemoteRpc.of(h2.address(), TestHost.PORT, true);
        String local = (String) rpc.call("session.slave_local_login_with_password", List.of("root", h2.password()));
        long t0 = System.nanoTime();
        h0.call("host.reboot", h2.hostRef());
        await("h2's toolstack to restart and enable its host again", () -> {
            try {
                h2.awaitServing();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return restarted(rpc, local, h2) && Boolean.TRUE.equals(h2.call("host.get_enabled", h2.hostRef()));
        });
        System.out.printf("host.reboot: serving again in %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        String again = (String) rpc.call("session.slave_local_login_with_password", List.of("root", h2.password()));
        h0.call("host.restart_agent", h2.hostRef());
        await("h2's toolstack to restart after host.restart_agent", () -> restarted(rpc, again, h2));
        PoolWaits.awaitMember(h2, 3, SETTLE);
    }

    @Test
    @Order(2)
    void aMemberRestartedWithoutItsCoordinatorServesInEmergencyMode() throws Exception {
        h0.kill();
        h1.kill();
        h2.kill();
        long t0 = System.nanoTime();
        h2.launch(SHORT_EMERGENCY);
        Rpc rpc = RemoteRpc.of(h2.address(), TestHost.PORT, true);
        String local = localLogin(h2, rpc);
        System.out.printf("emergency mode: local login after %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"),
                refusal(() -> rpc.call("session.slave_local_login_with_password", List.of("root", "wrong"))));
        assertEquals(List.of("HOST_IS_SLAVE", h0.address()),
                refusal(() -> rpc.call("session.login_with_password", List.of("root", h2.password(), "1.1", ""))));
        assertEquals(3, ((Map<?, ?>) rpc.call("host.get_all_records", List.of(local))).size(), "its copy of the pool's records");
        assertEquals("Running", rpc.call("VM.get_power_state", List.of(local, stranded)));
        String pool0 = (String) ((List<?>) rpc.call("pool.get_all", List.of(local))).getFirst();
        assertEquals(List.of("HOST_IS_SLAVE", h0.address()), refusal(() -> rpc.call("pool.set_name_label", List.of(local, pool0, "x"))));
        assertEquals(List.of("HOST_IS_SLAVE", h0.address()), refusal(() -> rpc.call("VM.start", List.of(local, stranded, false, false))));
    }

    @Test
    @Order(3)
    void aMemberInEmergencyModeBecomesAMemberAgainWhenAMajorityIsBack() throws Exception {
        long t0 = System.nanoTime();
        h1.launch(SHORT_EMERGENCY);
        PoolWaits.awaitMember(h2, 3, SETTLE); // login_with_password answers: h2 left emergency mode by itself
        PoolWaits.awaitMember(h1, 3, SETTLE);
        System.out.printf("emergency mode left %d ms after a second voter started%n", (System.nanoTime() - t0) / 1_000_000);
        String p = PoolWaits.firstPool(h2);
        await("a coordinator among the two", () -> List.of(h1.hostRef(), h2.hostRef()).contains(h2.call("pool.get_master", p)));
        h2.call("pool.set_name_label", p, "two of three");
        assertEquals("Running", h2.call("VM.get_power_state", stranded), "h1 took its running guest back");

        h1.kill();
        h2.kill();
        h2.launch(SHORT_EMERGENCY);
        localLogin(h2, RemoteRpc.of(h2.address(), TestHost.PORT, true));
    }

    @Test
    @Order(4)
    void emergencyTransitionToMasterMakesItTheCoordinatorOfAPoolThatRunsVms() throws Exception {
        Rpc rpc = RemoteRpc.of(h2.address(), TestHost.PORT, true);
        String local = localLogin(h2, rpc);
        long t0 = System.nanoTime();
        String pool0 = (String) ((List<?>) rpc.call("pool.get_all", List.of(local))).getFirst();
        Object lastCoordinator = rpc.call("host.get_address", List.of(local, rpc.call("pool.get_master", List.of(local, pool0))));
        assertEquals(List.of("HOST_IS_SLAVE", lastCoordinator), refusal(() -> rpc.call("pool.recover_slaves", List.of(local))));
        assertEquals(0, xe(h2, "pool-emergency-transition-to-master"), "as an administrator runs it, in a session of h2 alone");
        PoolWaits.awaitMember(h2, 3, SETTLE);
        System.out.printf("emergency transition: coordinator serving in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        String p = PoolWaits.firstPool(h2);
        assertEquals(h2.hostRef(), h2.call("pool.get_master", p));
        for (TestHost dead : List.of(h0, h1)) {
            assertEquals(false, h2.call("host_metrics.get_live", h2.call("host.get_metrics", dead.hostRef())), dead + " is not live");
        }
        h2.call("pool.set_name_description", p, "after the emergency");
        assertEquals("after the emergency", h2.call("pool.get_name_description", p));

        assertEquals(List.of("CANNOT_RESET_CONTROL_DOMAIN", controlDomain(h2)), refusal(() -> h2.call("VM.power_state_reset", controlDomain(h2))));
        assertEquals("Running", h2.call("VM.get_power_state", stranded));
        h2.call("VM.power_state_reset", stranded);
        assertEquals("Halted", h2.call("VM.get_power_state", stranded));
        assertEquals("OpaqueRef:NULL", h2.call("VM.get_resident_on", stranded));

        String vm = guest(h2, "started after the emergency");
        h2.call("VM.start", vm, false, false);
        assertEquals(h2.hostRef(), h2.call("VM.get_resident_on", vm));
        assertEquals("Running", h2.call("VM.get_power_state", vm));
        assertEquals(List.of("DOMAIN_EXISTS", vm), refusal(() -> h2.call("VM.power_state_reset", vm)));
        h2.call("VM.hard_shutdown", vm);
        assertEquals("Halted", h2.call("VM.get_power_state", vm));
    }

    @Test
    @Order(5)
    void aKilledMemberStartedAgainIsRecoveredIntoTheNewPool() throws Exception {
        long t0 = System.nanoTime();
        h1.launch(SHORT_EMERGENCY);
        localLogin(h1, RemoteRpc.of(h1.address(), TestHost.PORT, true)); // in emergency mode: its old group has no majority
        var printed = new java.io.ByteArrayOutputStream();
        assertEquals(0, xe(h2, printed, "pool-recover-slaves"));
        assertEquals(h1.uuid(), printed.toString().strip(), "h1 reached; h0 is still down");
        PoolWaits.awaitMember(h1, 3, SETTLE);
        System.out.printf("recovered member serving in %d ms from its start%n", (System.nanoTime() - t0) / 1_000_000);
        String p = PoolWaits.firstPool(h1);
        assertEquals(h2.hostRef(), h1.call("pool.get_master", p));
        assertEquals("after the emergency", h1.call("pool.get_name_description", p), "caught up from the new coordinator");
        await("h1 to be live again", () -> Boolean.TRUE.equals(h2.call("host_metrics.get_live", h2.call("host.get_metrics", h1.hostRef()))));
        h1.call("pool.set_name_description", p, "written through the recovered member");
        await("the write to reach the coordinator", () -> "written through the recovered member".equals(h2.call("pool.get_name_description", p)));
        assertEquals(List.of(), h2.call("pool.recover_slaves"), "no host left to recover that can be reached");
    }

    @Test
    @Order(6)
    void shutdownStopsTheDaemonOfADisabledHostAndMarksItNotLive() throws Exception {
        h2.call("host.disable", h1.hostRef(), true);
        // its guest's QEMU outlived the daemon, power_state_reset or not: h1 found it running at its start, and says so
        assertEquals(h1.hostRef(), h2.call("VM.get_resident_on", stranded));
        assertEquals(List.of("HOST_HAS_RESIDENT_VMS", h1.hostRef()), refusal(() -> h2.call("host.shutdown", h1.hostRef())));
        h2.call("VM.hard_shutdown", stranded);
        h2.call("host.shutdown", h1.hostRef());
        await("h1's daemon to exit", () -> !h1.isAlive());
        assertEquals(false, h2.call("host_metrics.get_live", h2.call("host.get_metrics", h1.hostRef())));
        assertEquals(List.of("HOST_POWER_ON_MODE_DISABLED"), refusal(() -> h2.call("host.power_on", h1.hostRef())));
    }

    private static int xe(TestHost h, String... args) { return TestXe.run(h, new java.io.ByteArrayOutputStream(), args); }

    private static int xe(TestHost h, java.io.ByteArrayOutputStream out, String... args) { return TestXe.run(h, out, args); }

    /** A diskless guest made from the test guest's template (no disk to place on any SR: it starts on any host). */
    private static String guest(TestHost h, String name) {
        String template = (String) ((List<?>) h.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
        String vm = (String) h.call("VM.clone", template, name);
        h.call("VM.set_is_a_template", vm, false); // what VM.provision does, without the disks it would make
        return vm;
    }

    private static String controlDomain(TestHost h) { return (String) ((List<?>) h.call("host.get_resident_VMs", h.hostRef())).getFirst(); }

    /** Whether the host's toolstack restarted since {@code local} was made: a local session lives in its memory alone. */
    private static boolean restarted(Rpc rpc, String local, TestHost h) {
        try {
            rpc.call("host.get_uuid", List.of(local, h.hostRef()));
            return false;
        } catch (ApiError e) {
            if (e.code().equals("SESSION_INVALID")) return true;
            throw e;
        }
    }

    /** Logs in to the host alone, as a client does when its coordinator is gone, waiting for its daemon to serve. */
    private static String localLogin(TestHost h, Rpc rpc) {
        var session = new ArrayList<String>();
        PoolWaits.await(EMERGENCY, h + " to take a local login", () -> {
            try {
                session.add((String) rpc.call("session.slave_local_login_with_password", List.of("root", h.password())));
                return true;
            } catch (ApiError e) {
                if (RemoteRpc.unreachable(e)) return false;
                throw e;
            }
        });
        return session.getFirst();
    }

    private static List<String> refusal(Runnable call) {
        ApiError e = assertThrows(ApiError.class, call::run);
        var out = new ArrayList<String>();
        out.add(e.code());
        out.addAll(e.params());
        return out;
    }

    private static void await(String what, Supplier<Boolean> condition) { PoolWaits.await(SETTLE, what, condition); }
}

package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.junit.jupiter.api.Test;

/**
 * Sixteen daemons in their own namespaces, fifteen of them joining the first's pool at once: every member answers
 * with the sixteen hosts and the same coordinator, five of them vote and eleven follow, a write through any member
 * reaches the others, and the coordinator's loss elects another, which every member follows, the followers too.
 */
@Slow
class LargePoolTest {
    private static final int HOSTS = 16;
    private static final Duration SETTLE = Duration.ofMinutes(4);

    @Test
    void sixteenHostsJoiningAtOnceBecomeOnePoolThatSurvivesItsCoordinator() throws Exception {
        try (TestHosts pool = TestHosts.start(HOSTS)) {
            TestHost first = pool.host(0);
            List<TestHost> joiners = pool.hosts().subList(1, HOSTS);
            long t0 = System.nanoTime();
            pool.joinAll();
            System.out.printf("%d hosts formed one pool in %d ms%n", HOSTS, (System.nanoTime() - t0) / 1_000_000);

            // each joiner has the coordinator settle who votes once it is up to date; the last settling names all
            await("five voters and eleven followers", () -> "5/11".equals(lastVotingSet(first)));

            String poolRef = firstPool(first);
            for (TestHost h : pool.hosts()) assertEquals(first.hostRef(), h.call("pool.get_master", firstPool(h)), h + "'s coordinator");
            TestHost last = pool.host(HOSTS - 1);
            last.call("pool.set_name_label", firstPool(last), "sixteen");
            for (TestHost h : pool.hosts()) await(h + " to read the name", () -> "sixteen".equals(h.call("pool.get_name_label", firstPool(h))));

            first.kill();
            long t1 = System.nanoTime();
            TestHost witness = pool.host(1);
            await("a new coordinator", () -> !first.hostRef().equals(witness.call("pool.get_master", firstPool(witness))));
            System.out.printf("new coordinator recorded %d ms after the old one was killed%n", (System.nanoTime() - t1) / 1_000_000);
            last.call("pool.set_name_description", firstPool(last), "after the coordinator died");
            for (TestHost h : joiners) {
                await(h + " to read the description", () -> "after the coordinator died".equals(h.call("pool.get_name_description", firstPool(h))));
            }
            assertTrue(poolRef.startsWith("OpaqueRef:"));
        }
    }

    /** "voters/followers" as the coordinator's log last counted them. */
    private static String lastVotingSet(TestHost coordinator) {
        Matcher settled = Pattern.compile("the pool database's voters: \\[([^\\]]*)\\], followers: \\[([^\\]]*)\\]").matcher(coordinator.log());
        String last = "";
        while (settled.find()) last = settled.group(1).split(", ").length + "/" + settled.group(2).split(", ").length;
        return last;
    }

    private static void await(String what, java.util.function.Supplier<Boolean> condition) { PoolWaits.await(SETTLE, what, condition); }

    private static String firstPool(TestHost h) { return PoolWaits.firstPool(h); }
}

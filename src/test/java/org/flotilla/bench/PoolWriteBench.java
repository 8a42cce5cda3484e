package org.flotilla.bench;

import java.util.ArrayList;
import java.util.List;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.pool.TestHost;
import org.flotilla.vm.Templates;

/**
 * The latency of a small write to the pool's database through a member against through the coordinator, in one run:
 * a pool of {@code hosts} daemons (3) in network namespaces on one bridge, and {@code VM.set_name_description} of
 * one VM record sent over HTTPS to the coordinator or to a member (whose database commits through the coordinator,
 * the Raft leader) — alternately, so that both see the same load.
 * <ul>
 *   <li>kept session: one client and one session per host, a connection kept alive, {@code calls} writes;</li>
 *   <li>one-shot client: as a command-line client makes each call, a new client (a new TLS connection), then
 *       {@code session.login_with_password}, the write, {@code session.logout}: {@code one-shot-calls} of them.</li>
 * </ul>
 * Median and 99th percentile of each, and the ratio member / coordinator. The last write of each run is then read on
 * every host. Run with {@code bench/pool-write.sh [key=value ...]}; not part of the test suite.
 */
public final class PoolWriteBench {
    private static final int WARMUP = 20;

    public static void main(String[] args) throws Exception {
        var opts = BenchArgs.parse(args);
        int hosts = Integer.parseInt(opts.getOrDefault("hosts", "3"));
        int calls = Integer.parseInt(opts.getOrDefault("calls", "500"));
        int oneShotCalls = Integer.parseInt(opts.getOrDefault("one-shot-calls", "100"));
        if (hosts < 2) throw new IllegalArgumentException("hosts: a coordinator and at least one member");
        try (BenchPool pool = BenchPool.form(hosts)) {
            TestHost coordinator = pool.host(0);
            TestHost member = pool.host(1);
            String template = (String) ((List<?>) coordinator.call("VM.get_by_name_label", Templates.TEST_GUEST_NAME)).getFirst();
            String vm = (String) coordinator.call("VM.clone", template, "pool-write-bench");

            var toCoordinator = new Kept(coordinator, vm);
            var toMember = new Kept(member, vm);
            alternate(WARMUP, toCoordinator::write, toMember::write);
            var kept = alternate(calls, toCoordinator::write, toMember::write);
            awaitEverywhere(pool, hosts, vm, toMember.last);

            var oneShotCoordinator = new OneShot(coordinator, vm);
            var oneShotMember = new OneShot(member, vm);
            alternate(WARMUP / 4, oneShotCoordinator::write, oneShotMember::write);
            var oneShot = alternate(oneShotCalls, oneShotCoordinator::write, oneShotMember::write);
            awaitEverywhere(pool, hosts, vm, oneShotMember.last);

            System.out.printf("%nwrite latency in a pool of %d hosts (network namespaces on one bridge): VM.set_name_description over"
                    + " HTTPS to the coordinator or to a member, alternately; %s%n", hosts, Stats.machine());
            String row = "  %-50s %11s %11s %11s %11s %10s %10s%n";
            System.out.printf(row, "", "coord. p50", "member p50", "coord. p99", "member p99", "ratio p50", "ratio p99");
            print(row, "kept session, keep-alive (" + calls + " calls each)", kept);
            print(row, "one-shot client: TLS, login, write, logout (" + oneShotCalls + ")", oneShot);
            System.out.printf("  milliseconds; ratio = member / coordinator%n");
        }
    }

    /** Each write's milliseconds, to the coordinator ([0]) and to the member ([1]), taken in turn. */
    private static List<List<Double>> alternate(int n, Write coordinator, Write member) {
        var c = new ArrayList<Double>();
        var m = new ArrayList<Double>();
        for (int i = 0; i < n; i++) {
            c.add(coordinator.timed(i));
            m.add(member.timed(i));
        }
        return List.of(c, m);
    }

    private static void print(String row, String what, List<List<Double>> ms) {
        double c50 = Stats.median(ms.get(0));
        double m50 = Stats.median(ms.get(1));
        double c99 = Stats.percentile(ms.get(0), 99);
        double m99 = Stats.percentile(ms.get(1), 99);
        System.out.printf(row, what, two(c50), two(m50), two(c99), two(m99), Stats.ratio(m50, c50), Stats.ratio(m99, c99));
    }

    private static String two(double ms) { return String.format("%.2f", ms); }

    /** The member's write, the last of all, is what every host reads: the writes were committed, not only accepted. */
    private static void awaitEverywhere(BenchPool pool, int hosts, String vm, String last) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int i = 0; i < hosts; i++) {
            while (!last.equals(pool.host(i).call("VM.get_name_description", vm))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException(pool.host(i) + " does not read the last write, " + last);
                Thread.sleep(10);
            }
        }
    }

    @FunctionalInterface
    private interface Write {
        void write(int i);

        default double timed(int i) {
            long t0 = System.nanoTime();
            write(i);
            return Stats.msSince(t0);
        }
    }

    /** One client and one session of a host's, kept. */
    private static final class Kept {
        private final Rpc rpc;
        private final String session;
        private final String vm;
        private final String tag;
        volatile String last = "";

        Kept(TestHost h, String vm) {
            this.rpc = RemoteRpc.of(h.address(), TestHost.PORT, true);
            this.session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", h.password())));
            this.vm = vm;
            this.tag = "kept via " + h.name() + " ";
        }

        void write(int i) {
            last = tag + i;
            rpc.call("VM.set_name_description", new ArrayList<>(List.of(session, vm, last)));
        }
    }

    /** A new client for every call, logging in and out around it, as xe does. */
    private static final class OneShot {
        private final TestHost h;
        private final String vm;
        volatile String last = "";

        OneShot(TestHost h, String vm) {
            this.h = h;
            this.vm = vm;
        }

        void write(int i) {
            Rpc rpc = RemoteRpc.of(h.address(), TestHost.PORT, true);
            String session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", h.password())));
            last = "one-shot via " + h.name() + " " + i;
            rpc.call("VM.set_name_description", new ArrayList<>(List.of(session, vm, last)));
            rpc.call("session.logout", new ArrayList<>(List.of(session)));
        }
    }
}

package org.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.flotilla.pool.TestHost;
import org.flotilla.pool.TestHosts;
import org.flotilla.vm.Templates;

/**
 * Live migration between two hosts on one link, Flotilla against QEMU alone, in one run: two daemons in network
 * namespaces joined by a bridge (the pool tests' {@link TestHosts}), a pool of the two, and one guest without disks
 * (the test guest, {@code mode} idle or dirty, {@code memory-mib}).
 * <ul>
 *   <li>Flotilla: XenAPI {@code VM.pool_migrate} to the other host, timed by the caller from the call to its return
 *       (the destination's QEMU started, the stream sent QEMU to QEMU with their own TLS, the guest running there and recorded);
 *       QEMU's total-time and downtime as the source's daemon logs them from query-migrate. Back and forth.</li>
 *   <li>QEMU alone: the same argv the daemon wrote for the guest, launched by hand in the first host's namespace
 *       (source) and the second's (destination, {@code -incoming defer}, {@code migrate-incoming tcp:}), the same
 *       capabilities (events, auto-converge) and parameters (max-bandwidth, downtime-limit) as the daemon sets,
 *       QMP {@code migrate tcp:} straight between the two; timed from the destination's launch until it runs after
 *       {@code cont}, as the API call is; total-time and downtime from the source's query-migrate. With
 *       {@code raw-tls=true} they speak TLS as the daemons' QEMUs do (keys made in the timed span, as the daemons
 *       make theirs).</li>
 * </ul>
 * Medians of {@code runs} after one untimed warm-up of each. Run with {@code bench/migrate.sh [key=value ...]}. Not
 * part of the test suite. The namespaces, and whatever runs in them, go at the end whatever happened.
 */
public final class MigrateBench {
    /** What OutgoingMigrations asks of QEMU: the baseline is set the same. */
    private static final long MAX_BANDWIDTH = 8L << 30;
    private static final long DOWNTIME_LIMIT_MS = 100;
    private static final int RAW_PORT = 49152;
    private static final Pattern REPORT = Pattern.compile("VM (\\S+) moved to host .*qemuTotalMillis=(\\d+), qemuDowntimeMillis=(\\d+), ramBytes=(\\d+)");

    private final Map<String, String> opts;
    /** Whether QEMU alone speaks TLS too (its own tls-creds-x509, as the daemons' QEMUs do), to tell TLS's cost apart. */
    private final boolean rawTls;
    private BenchPool pool;

    private MigrateBench(Map<String, String> opts) {
        this.opts = opts;
        this.rawTls = RawTls.wanted(opts);
    }

    /** One migration: from the start of it to the guest running at the destination, and QEMU's own figures. */
    private record Run(double totalMs, long qemuTotalMs, long downtimeMs, long ramBytes) {}

    public static void main(String[] args) throws Exception {
        var opts = BenchArgs.parse(args);
        new MigrateBench(opts).run();
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        long memoryMib = Long.parseLong(opts.getOrDefault("memory-mib", "512"));
        String mode = opts.getOrDefault("mode", "idle");
        String args = mode.equals("dirty") ? "flotilla.mode=dirty flotilla.dirty_mib=" + opts.getOrDefault("dirty-mib", "64") : "flotilla.mode=" + mode;
        try (BenchPool p = BenchPool.form(2)) {
            pool = p;
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            String vm = guest(h0, args, memoryMib);
            awaitBooted(h0, vm);
            List<String> argv = Files.readAllLines(runDir(h0, vm).resolve("argv"));

            var flotilla = new ArrayList<Run>();
            var raw = new ArrayList<Run>();
            for (int i = 0; i <= runs; i++) {
                TestHost from = i % 2 == 0 ? h0 : h1;
                TestHost to = i % 2 == 0 ? h1 : h0;
                Run f = poolMigrate(from, to, vm);
                Run r = rawMigrate(h0, vm, argv, i);
                if (i > 0) {
                    flotilla.add(f);
                    raw.add(r);
                }
            }
            report(mode, memoryMib, runs, flotilla, raw);
        }
    }

    private Run poolMigrate(TestHost from, TestHost to, String vm) throws Exception {
        int logged = reports(from).size();
        long t0 = System.nanoTime();
        from.call("VM.pool_migrate", vm, to.hostRef(), Map.of());
        double ms = Stats.msSince(t0);
        if (!to.hostRef().equals(from.call("VM.get_resident_on", vm))) throw new IllegalStateException("the VM did not move to " + to);
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos();
        List<MatchResult> all;
        while ((all = reports(from)).size() <= logged) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no migration report in " + from + "'s log");
            Thread.sleep(20);
        }
        MatchResult m = all.getLast();
        return new Run(ms, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
    }

    private static List<MatchResult> reports(TestHost h) { return REPORT.matcher(h.log()).results().toList(); }

    /** QEMU to QEMU over the same link, from host 0's namespace to host 1's. */
    private Run rawMigrate(TestHost h0, String vm, List<String> argv, int round) throws Exception {
        Path dir = pool.network().dir().resolve("raw" + round);
        String kernel = (String) h0.call("VM.get_PV_kernel", vm);
        String initrd = (String) h0.call("VM.get_PV_ramdisk", vm);
        RawQemu src = RawQemu.launch(pool.network(), 0, dir.resolve("source"), argv, kernel, initrd, Map.of(), List.of());
        try {
            src.qmp().execute("cont");
            awaitSerial(src.serial(), "FLOTILLA-GUEST up");
            long t0 = System.nanoTime();
            RawQemu dst = RawQemu.launch(pool.network(), 1, dir.resolve("destination"), argv, kernel, initrd, Map.of(), List.of("-incoming", "defer"));
            try {
                String uri = "tcp:" + pool.network().address(1) + ":" + RAW_PORT;
                dst.setMigrationAsTheDaemonDoes(MAX_BANDWIDTH, DOWNTIME_LIMIT_MS);
                src.setMigrationAsTheDaemonDoes(MAX_BANDWIDTH, DOWNTIME_LIMIT_MS);
                if (rawTls) {
                    RawTls.give(dir, src, dst);
                    dst.qmp().execute("migrate-set-parameters", RawTls.SERVER);
                    src.qmp().execute("migrate-set-parameters", RawTls.CLIENT);
                }
                dst.qmp().execute("migrate-incoming", Map.of("uri", uri));
                src.qmp().execute("migrate", Map.of("uri", uri));
                JsonNode done = src.awaitMigration("completed");
                dst.awaitMigration("completed");
                dst.qmp().execute("cont");
                dst.requireRunning();
                double ms = Stats.msSince(t0);
                return new Run(ms, done.path("total-time").asLong(-1), done.path("downtime").asLong(-1), done.path("ram").path("transferred").asLong(-1));
            } finally {
                dst.stop();
            }
        } finally {
            src.stop();
        }
    }

    private static String guest(TestHost h, String args, long memoryMib) {
        String template = (String) ((List<?>) h.call("VM.get_by_name_label", Templates.TEST_GUEST_NAME)).getFirst();
        String vm = (String) h.call("VM.clone", template, "migrate-bench");
        h.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 " + args);
        String size = Long.toString(memoryMib << 20);
        h.call("VM.set_memory_limits", vm, Long.toString(Math.min(memoryMib, 128) << 20), size, size, size);
        // not provisioned: no disk, so that QEMU alone runs the very same command line
        h.call("VM.set_is_a_template", vm, false);
        h.call("VM.start_on", vm, h.hostRef(), false, false);
        return vm;
    }

    private static Path runDir(TestHost h, String vm) { return h.stateDir().resolve("run").resolve((String) h.call("VM.get_uuid", vm)); }

    private static void awaitBooted(TestHost h, String vm) throws IOException, InterruptedException {
        awaitSerial(runDir(h, vm).resolve("serial.log"), "FLOTILLA-GUEST up");
    }

    private static void awaitSerial(Path serial, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos();
        while (!Files.exists(serial) || !Files.readString(serial).contains(text)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no \"" + text + "\" in " + serial);
            Thread.sleep(50);
        }
    }

    private void report(String mode, long memoryMib, int runs, List<Run> flotilla, List<Run> raw) throws IOException {
        System.out.printf("%nlive migration of a %d MiB %s guest between two hosts (network namespaces on one bridge), median of %d; %s%n",
                memoryMib, mode, runs, Stats.machine());
        String row = "  %-34s %12s %14s %14s %10s %12s%n";
        System.out.printf(row, "", "total (ms)", "QEMU total ms", "downtime ms", "RAM MiB", "stream MB/s");
        Run f = median(flotilla);
        Run r = median(raw);
        System.out.printf(row, "Flotilla VM.pool_migrate", Stats.whole(f.totalMs), f.qemuTotalMs, f.downtimeMs, f.ramBytes >> 20, rate(f));
        System.out.printf(row, rawTls ? "QEMU alone (migrate tcp:, TLS)" : "QEMU alone (QMP migrate tcp:)", Stats.whole(r.totalMs), r.qemuTotalMs, r.downtimeMs, r.ramBytes >> 20, rate(r));
        System.out.printf(row, "ratio Flotilla / QEMU", Stats.ratio(f.totalMs, r.totalMs), Stats.ratio(f.qemuTotalMs, r.qemuTotalMs),
                Stats.ratio(f.downtimeMs, r.downtimeMs), "", "");
        System.out.printf("  every run (total ms / downtime ms): Flotilla %s; QEMU %s%n", runs(flotilla), runs(raw));
    }

    private static String runs(List<Run> rs) {
        var s = new ArrayList<String>();
        for (Run r : rs) s.add(Stats.whole(r.totalMs) + "/" + r.downtimeMs);
        return String.join(" ", s);
    }

    private static Run median(List<Run> rs) {
        return new Run(Stats.median(rs.stream().map(Run::totalMs).toList()), (long) Stats.median(rs.stream().map(r -> (double) r.qemuTotalMs).toList()),
                (long) Stats.median(rs.stream().map(r -> (double) r.downtimeMs).toList()), (long) Stats.median(rs.stream().map(r -> (double) r.ramBytes).toList()));
    }

    /** What QEMU's stream carried per second of its total-time. */
    private static String rate(Run r) { return r.qemuTotalMs > 0 ? Stats.whole(r.ramBytes / 1e3 / r.qemuTotalMs) : "-"; }
}

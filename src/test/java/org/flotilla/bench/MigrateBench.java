package org.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.flotilla.pool.TestHost;
import org.flotilla.pool.TestHosts;
import org.flotilla.qemu.Qmp;
import org.flotilla.vm.Templates;

/**
 * Live migration between two hosts on one link, Flotilla against QEMU alone, in one run: two daemons in network
 * namespaces joined by a bridge (the pool tests' {@link TestHosts}), a pool of the two, and one guest without disks
 * (the test guest, {@code mode} idle or dirty, {@code memory-mib}).
 * <ul>
 *   <li>Flotilla: XenAPI {@code VM.pool_migrate} to the other host, timed by the caller from the call to its return
 *       (the destination's QEMU started, the stream relayed by both daemons, the guest running there and recorded);
 *       QEMU's total-time and downtime as the source's daemon logs them from query-migrate. Back and forth.</li>
 *   <li>QEMU alone: the same argv the daemon wrote for the guest, launched by hand in the first host's namespace
 *       (source) and the second's (destination, {@code -incoming defer}, {@code migrate-incoming tcp:}), the same
 *       capabilities (events, auto-converge) and parameters (max-bandwidth, downtime-limit) as the daemon sets,
 *       QMP {@code migrate tcp:} straight between the two; timed from the destination's launch until it runs after
 *       {@code cont}, as the API call is; total-time and downtime from the source's query-migrate.</li>
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
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final Map<String, String> opts;
    private TestHosts pool;

    private MigrateBench(Map<String, String> opts) { this.opts = opts; }

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
        pool = TestHosts.start(2);
        Thread hook = new Thread(pool::close, "migrate-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            h1.call("pool.join", h0.address(), "root", h0.password());
            awaitPoolOfTwo(h1);
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
        } finally {
            pool.close();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException exiting) { }
        }
    }

    private Run poolMigrate(TestHost from, TestHost to, String vm) throws Exception {
        int logged = reports(from).size();
        long t0 = System.nanoTime();
        from.call("VM.pool_migrate", vm, to.hostRef(), Map.of());
        double ms = ms(t0);
        if (!to.hostRef().equals(from.call("VM.get_resident_on", vm))) throw new IllegalStateException("the VM did not move to " + to);
        long deadline = System.nanoTime() + WAIT.toNanos();
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
        Raw src = Raw.launch(pool, 0, dir.resolve("source"), argv, kernel, initrd, List.of());
        try {
            src.qmp.execute("cont");
            awaitSerial(src.dir.resolve("serial.log"), "FLOTILLA-GUEST up");
            long t0 = System.nanoTime();
            Raw dst = Raw.launch(pool, 1, dir.resolve("destination"), argv, kernel, initrd, List.of("-incoming", "defer"));
            try {
                String uri = "tcp:" + pool.network().address(1) + ":" + RAW_PORT;
                dst.qmp.execute("migrate-incoming", Map.of("uri", uri));
                for (Raw r : List.of(src, dst)) {
                    r.qmp.execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                            Map.of("capability", "events", "state", true), Map.of("capability", "auto-converge", "state", true))));
                }
                src.qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", MAX_BANDWIDTH, "downtime-limit", DOWNTIME_LIMIT_MS));
                src.qmp.execute("migrate", Map.of("uri", uri));
                JsonNode done = awaitMigration(src.qmp, "completed");
                awaitMigration(dst.qmp, "completed");
                dst.qmp.execute("cont");
                if (!dst.qmp.execute("query-status").path("status").asText().equals("running")) throw new IllegalStateException("raw destination not running");
                double ms = ms(t0);
                return new Run(ms, done.path("total-time").asLong(-1), done.path("downtime").asLong(-1), done.path("ram").path("transferred").asLong(-1));
            } finally {
                dst.stop();
            }
        } finally {
            src.stop();
        }
    }

    private static JsonNode awaitMigration(Qmp qmp, String status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode m = qmp.execute("query-migrate");
            String s = m.path("status").asText("");
            if (s.equals(status)) return m;
            if (s.equals("failed") || s.equals("cancelled")) throw new IllegalStateException("raw migration " + s + ": " + m);
            if (System.nanoTime() > deadline) throw new IllegalStateException("raw migration still " + s);
            Thread.sleep(10);
        }
    }

    /** A QEMU launched by hand in host {@code host}'s namespace with the daemon's argv, its files in {@code dir}. */
    private record Raw(Path dir, Process process, Qmp qmp) {
        static Raw launch(TestHosts pool, int host, Path dir, List<String> argv, String kernel, String initrd, List<String> extra)
                throws IOException {
            Files.createDirectories(dir);
            var cmd = new ArrayList<String>();
            // the daemon's argv names files as its jail sees them (/vm is the run dir, the kernel a link in it)
            for (String s : argv) {
                cmd.add(s.equals("/vm/kernel") ? kernel : s.equals("/vm/initrd") ? initrd : s.replace("/vm/", dir + "/"));
            }
            if (cmd.contains("-add-fd")) throw new IllegalStateException("the raw baseline takes guests without disks or firmware stores");
            cmd.addAll(extra);
            Process p = new ProcessBuilder(pool.network().onHost(host, cmd)).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
            try {
                return new Raw(dir, p, Qmp.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(30), () -> !p.isAlive()));
            } catch (IOException e) {
                p.destroyForcibly();
                throw new IllegalStateException("raw QEMU did not start: " + Files.readString(dir.resolve("qemu.log")), e);
            }
        }

        void stop() throws InterruptedException {
            qmp.close();
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
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
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(serial) || !Files.readString(serial).contains(text)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no \"" + text + "\" in " + serial);
            Thread.sleep(50);
        }
    }

    private static void awaitPoolOfTwo(TestHost h) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                // its toolstack restarts on the pool's database: a new session
                h.awaitServing();
                if (((Map<?, ?>) h.call("host.get_all_records")).size() == 2) return;
            } catch (AssertionError | RuntimeException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException(h + " did not join");
            Thread.sleep(200);
        }
    }

    private static void report(String mode, long memoryMib, int runs, List<Run> flotilla, List<Run> raw) throws IOException {
        System.out.printf("%nlive migration of a %d MiB %s guest between two hosts (network namespaces on one bridge), median of %d; "
                + "%d cores, load average %s%n", memoryMib, mode, runs, Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        String row = "  %-34s %12s %14s %14s %10s %12s%n";
        System.out.printf(row, "", "total (ms)", "QEMU total ms", "downtime ms", "RAM MiB", "stream MB/s");
        Run f = median(flotilla);
        Run r = median(raw);
        System.out.printf(row, "Flotilla VM.pool_migrate", fmt(f.totalMs), f.qemuTotalMs, f.downtimeMs, f.ramBytes >> 20, rate(f));
        System.out.printf(row, "QEMU alone (QMP migrate tcp:)", fmt(r.totalMs), r.qemuTotalMs, r.downtimeMs, r.ramBytes >> 20, rate(r));
        System.out.printf(row, "ratio Flotilla / QEMU", ratio(f.totalMs, r.totalMs), ratio(f.qemuTotalMs, r.qemuTotalMs),
                ratio(f.downtimeMs, r.downtimeMs), "", "");
        System.out.printf("  every run (total ms / downtime ms): Flotilla %s; QEMU %s%n", runs(flotilla), runs(raw));
    }

    private static String runs(List<Run> rs) {
        var s = new ArrayList<String>();
        for (Run r : rs) s.add(fmt(r.totalMs) + "/" + r.downtimeMs);
        return String.join(" ", s);
    }

    private static Run median(List<Run> rs) {
        return new Run(med(rs.stream().map(Run::totalMs).toList()), (long) med(rs.stream().map(r -> (double) r.qemuTotalMs).toList()),
                (long) med(rs.stream().map(r -> (double) r.downtimeMs).toList()), (long) med(rs.stream().map(r -> (double) r.ramBytes).toList()));
    }

    private static double med(List<Double> xs) {
        var s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** What QEMU's stream carried per second of its total-time. */
    private static String rate(Run r) { return r.qemuTotalMs > 0 ? fmt(r.ramBytes / 1e3 / r.qemuTotalMs) : "-"; }

    private static String ratio(double a, double b) { return b > 0 ? String.format("%.2f", a / b) : "-"; }

    private static String fmt(double ms) { return String.format("%.0f", ms); }

    private static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }
}

package org.flotilla.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.TestDomainIds;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.jail.Cgroups;
import org.flotilla.model.ApiError;
import org.flotilla.pool.TestLeftovers;
import org.flotilla.qemu.TestGuest;
import org.flotilla.runtime.TrustingTls;

/**
 * The daemon's memory as users run it: {@code bin/flotilla serve} started as {@code scripts/setup.sh} starts it (its
 * JVM options; NMT added through {@code JDK_JAVA_OPTIONS} unless {@code nmt=off}), {@code vms} VM records installed
 * from the "Flotilla test guest" template (clone + provision: a VBD and a 64 MiB VDI each), {@code running} of them
 * started as real TCG guests of {@code guest-mib}, then the API exercised: a few lifecycle calls (pause/unpause,
 * hard_reboot, clean_shutdown and start, a clone destroyed), and for {@code workload-s} seconds, every 5 s, every
 * class's {@code get_all_records}, {@code event.from} on all classes and {@code /rrd_updates} (as Xen Orchestra polls
 * it). Then the daemon's resident memory ({@code /proc/<pid>/status}: VmRSS, VmHWM, anonymous and file-backed;
 * {@code smaps_rollup}'s PSS) and the JVM's own account of it ({@code jcmd}: GC.heap_info, VM.native_memory summary, GC
 * time from the perf counters), fresh, right after the workload and again after {@code settle-s} seconds of the same VMs
 * running with no client. {@code vms} and {@code running} may be lists: each count of records is run with each count
 * of running VMs (no more than there are records), and a summary table of all ends the run.
 * <p>
 * Each variant is a daemon of its own on a fresh state directory, one after the other, with the same workload:
 * {@code deployed} is bin/flotilla as it stands, {@code before} bin/flotilla with the options it had before the small
 * daemon ({@code -XX:+UseZGC}, the heap sized by the JVM); {@code opts.NAME=...} adds a variant NAME run with
 * {@code FLOTILLA_JAVA_OPTS=...}. Run with {@code bench/daemon-memory.sh [key=value ...]}; not part of the test suite.
 * Every daemon and QEMU it started is killed by pid at the end, whatever happened (also on SIGINT/SIGTERM), and the
 * state directories are removed.
 */
public final class DaemonMemoryBench {
    static final String UP = "FLOTILLA-GUEST up";
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    /** bin/flotilla's JVM options before the small daemon: ZGC, the heap sized by the JVM (a quarter of the host's memory). */
    static final String BEFORE = "-XX:+UseZGC";
    private static final String NMT = "-XX:NativeMemoryTracking=summary";
    /** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux this runs on. */
    private static final long CLOCK_TICKS = 100;

    private final Map<String, String> opts;
    private final Path root;
    private final HttpClient http;
    private final List<Daemon> daemons = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();

    private DaemonMemoryBench(Map<String, String> opts, Path root) throws Exception {
        this.opts = opts;
        this.root = root;
        this.http = TrustingTls.httpClient();
    }

    public static void main(String[] args) throws Exception {
        var opts = BenchArgs.parse(args);
        if (!Files.isRegularFile(TestGuest.VMLINUX) || !Files.isRegularFile(TestGuest.INITRD)) {
            throw new IllegalStateException("no test guest in " + TestGuest.DIR + ": run scripts/build-guest.sh");
        }
        if (!Files.isRegularFile(TestGuest.REPO.resolve("target/flotilla.jar"))) {
            throw new IllegalStateException("no build in " + TestGuest.REPO.resolve("target") + ": mvn -DskipTests package");
        }
        Path root = opts.containsKey("state") ? Path.of(opts.get("state")) : Files.createTempDirectory("flotilla-membench");
        Files.createDirectories(root);
        var bench = new DaemonMemoryBench(opts, root);
        CleanupHook.around("membench-cleanup", bench::run, bench::cleanup);
    }

    private void run() throws Exception {
        List<Integer> vmCounts = intsOpt("vms", "100");
        List<Integer> runningCounts = intsOpt("running", "10");
        long guestMiB = intOpt("guest-mib", 96); // the test guest's kernel does not boot in 64
        int workloadS = intOpt("workload-s", 120);
        int settleS = intOpt("settle-s", 120);
        boolean nmt = !opts.getOrDefault("nmt", "summary").equals("off");
        var variants = new LinkedHashMap<String, String>(); // name → FLOTILLA_JAVA_OPTS (null: bin/flotilla's own)
        for (String v : opts.getOrDefault("variants", "before,deployed").split(",")) {
            String o = v.equals("deployed") ? null : v.equals("before") ? BEFORE : opts.get("opts." + v);
            if (o == null && !v.equals("deployed")) throw new IllegalArgumentException("variant " + v + " needs opts." + v + "=<JVM options>");
            variants.put(v, o);
        }
        System.out.printf("machine: %d cores, memory %,d MiB available; Java %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
                meminfo("MemAvailable") >> 10, Runtime.version(), loadavg());
        System.out.printf("workload: %s VM records from the test guest template, %s running (%d MiB TCG guests), %d s of API calls"
                + " and /rrd_updates every 5 s, then %d s settling; NMT %s%n", vmCounts, runningCounts, guestMiB, workloadS, settleS, nmt ? "on (its own"
                + " memory is in the figures: the NMT row)" : "off");
        List<String> sections = List.of(opts.getOrDefault("sections", "workload").split(","));
        if (sections.contains("records")) {
            for (var v : variants.entrySet()) {
                System.out.printf("%n-- %s, %,d VM records: FLOTILLA_JAVA_OPTS=%s%n", v.getKey(), intOpt("records", 10_000),
                        v.getValue() == null ? "(unset: bin/flotilla's default)" : "\"" + v.getValue() + "\"");
                try (Daemon d = Daemon.launch(this, v.getKey(), v.getValue(), nmt, opts.getOrDefault("env." + v.getKey(), ""))) {
                    records(d, intOpt("records", 10_000));
                }
            }
        }
        if (!sections.contains("workload")) return;
        // each count of records with each count of running VMs (no more running than there are records)
        var configs = new LinkedHashMap<String, int[]>();
        for (int vms : vmCounts) for (int running : runningCounts) configs.putIfAbsent(vms + "/" + Math.min(vms, running), new int[] {vms, Math.min(vms, running)});
        var summary = new ArrayList<String>();
        for (int[] c : configs.values()) {
            var results = new LinkedHashMap<String, Result>();
            for (var v : variants.entrySet()) {
                System.out.printf("%n-- %s, %d VM records, %d running: FLOTILLA_JAVA_OPTS=%s %s%n", v.getKey(), c[0], c[1],
                        v.getValue() == null ? "(unset: bin/flotilla's default)" : "\"" + v.getValue() + "\"", opts.getOrDefault("env." + v.getKey(), ""));
                try (Daemon d = Daemon.launch(this, v.getKey(), v.getValue(), nmt, opts.getOrDefault("env." + v.getKey(), ""))) {
                    results.put(v.getKey(), workload(d, c[0], c[1], guestMiB, workloadS, settleS));
                }
            }
            report(results, c[0], c[1]);
            results.forEach((name, r) -> summary.add(String.format("| %d | %d | %s | %s / %s | %s / %s | %s / %s | %s |", c[0], c[1], name,
                    mib(r.fresh.rss), mib(r.fresh.pss), mib(r.afterWorkload.rss), mib(r.afterWorkload.pss), mib(r.settled.rss), mib(r.settled.pss),
                    mib(r.settled.hwm))));
        }
        System.out.printf("%n== summary (MiB; RSS / PSS of the daemon's JVM alone, its QEMUs not counted) ==%n");
        System.out.println("| VM records | running | variant | idle (fresh) | after the workload | settled | peak (VmHWM) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        summary.forEach(System.out::println);
    }

    // ---- the workload -----------------------------------------------------------------------------

    private Result workload(Daemon d, int vms, int running, long guestMiB, int workloadS, int settleS) throws Exception {
        var r = new Result(d.jvmArgs());
        r.startupS = d.startupS;
        r.fresh = d.measure();
        long t0 = System.nanoTime();
        String template = ((List<?>) d.call("VM.get_by_name_label", "Flotilla test guest")).getFirst().toString();
        long mem = guestMiB << 20;
        var all = new ArrayList<String>();
        for (int i = 0; i < vms; i++) {
            String vm = (String) d.call("VM.clone", template, "membench-" + i);
            d.call("VM.provision", vm);
            d.call("VM.set_memory_limits", vm, mem, mem, mem, mem);
            all.add(vm);
        }
        r.createS = secs(t0);
        t0 = System.nanoTime();
        List<String> up = all.subList(0, Math.min(running, vms));
        var starts = new ArrayList<Double>();
        for (String vm : up) starts.add(d.start(vm));
        r.startS = secs(t0);
        r.vmStartMs = starts.isEmpty() ? Double.NaN : VmBench.median(starts);
        System.out.printf("   %d VMs installed in %.1f s, %d started (each to its up line) in %.1f s%n", vms, r.createS, up.size(), r.startS);

        // lifecycle calls on the running VMs, each left running again
        if (up.size() >= 3) {
            d.call("VM.pause", up.get(0));
            d.call("VM.unpause", up.get(0));
            Object[] mark = d.serialMark(up.get(1));
            d.call("VM.hard_reboot", up.get(1));
            d.awaitUp(up.get(1), mark);
            d.call("VM.clean_shutdown", up.get(2));
            d.start(up.get(2));
        }
        String clone = (String) d.call("VM.clone", all.isEmpty() ? template : all.getLast(), "membench-clone");
        d.call("VM.destroy", clone);

        // what a client waits for: a login (PBKDF2 of the password, as xe makes one per command) and a getter
        var logins = new ArrayList<Double>();
        for (int i = 0; i < 5; i++) {
            long l0 = System.nanoTime();
            String s = (String) d.rpc.call("session.login_with_password", new ArrayList<>(List.of("root", d.password)));
            logins.add(secs(l0) * 1000);
            d.rpc.call("session.logout", new ArrayList<>(List.of(s)));
        }
        var getters = new ArrayList<Double>();
        for (int i = 0; i < 500; i++) {
            long g0 = System.nanoTime();
            d.call("VM.get_name_label", up.isEmpty() ? template : up.getFirst());
            getters.add(secs(g0) * 1e6);
        }
        r.loginMs = VmBench.median(logins);
        r.getterUs = VmBench.median(getters);

        @SuppressWarnings("unchecked")
        List<String> getAll = ((List<Object>) d.rpc.call("system.listMethods", new ArrayList<>())).stream().map(Object::toString)
                .filter(m -> m.endsWith(".get_all_records") && !m.contains("_where")).sorted().toList();
        String token = "";
        long since = System.currentTimeMillis() / 1000 - 60;
        var rounds = new ArrayList<Double>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(workloadS);
        long bytes = 0;
        for (int round = 0; round == 0 || System.nanoTime() < end; round++) {
            long roundStart = System.nanoTime();
            for (String m : getAll) d.call(m);
            @SuppressWarnings("unchecked")
            var ev = (Map<String, Object>) d.call("event.from", List.of("*"), token, 0.1);
            token = (String) ev.get("token");
            long now = System.currentTimeMillis() / 1000;
            bytes += d.get("/rrd_updates?session_id=" + d.session + "&start=" + since + "&cf=AVERAGE&interval=5&host=true" + (round % 2 == 0 ? "&json=true" : ""));
            since = now - 5;
            if (round % 6 == 0) bytes += d.get("/host_rrd?session_id=" + d.session);
            if (round % 6 == 0 && !up.isEmpty()) {
                bytes += d.get("/vm_rrd?session_id=" + d.session + "&uuid=" + d.call("VM.get_uuid", up.get(round / 6 % up.size())));
            }
            rounds.add(secs(roundStart) * 1000);
            long next = Math.min(roundStart + TimeUnit.SECONDS.toNanos(5), end);
            if (next > System.nanoTime()) Thread.sleep(TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()));
        }
        r.rounds = rounds.size();
        r.roundMs = VmBench.median(rounds);
        r.classes = getAll.size();
        r.rrdKiB = bytes >> 10;
        r.afterWorkload = d.measure();
        r.cpuWorkloadS = d.cpuSeconds();
        Thread.sleep(settleS * 1000L);
        r.settled = d.measure();
        r.cpuSettledPct = (d.cpuSeconds() - r.cpuWorkloadS) * 100 / settleS;
        if (Boolean.parseBoolean(opts.getOrDefault("histogram", "false"))) {
            // after the figures: it collects the heap first
            System.out.println("   heap histogram of " + d.name + ", settled (largest 20 classes of live objects):");
            d.jcmd("GC.class_histogram").lines().skip(1).limit(22).forEach(l -> System.out.println("   " + l));
        }
        r.settleS = settleS;
        d.stopVms(up);
        return r;
    }

    // ---- many records ------------------------------------------------------------------------------

    /**
     * {@code n} VM records made with VM.create (4 clients at once), then what a client of a large pool asks: the
     * whole VM class in XML-RPC and JSON-RPC (the replies read as bytes, not decoded), and event.from of every
     * class from the start; the daemon's memory after it, and whether it is still alive with no OutOfMemoryError.
     */
    private void records(Daemon d, int n) throws Exception {
        long t0 = System.nanoTime();
        var made = new java.util.concurrent.atomic.AtomicInteger();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        var clients = new ArrayList<Thread>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i; failure.get() == null && (i = made.getAndIncrement()) < n; ) {
                    try {
                        var f = TestGuest.vmFields("membench-record-" + i, 128, "console=ttyS0");
                        f.put("other_config", Map.of("membench", "true"));
                        d.call("VM.create", f);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (Thread t : clients) t.join();
        if (failure.get() != null) throw new IllegalStateException("VM.create failed: " + d.logTail(), failure.get());
        System.out.printf("   %,d VMs created in %.1f s; VmRSS %s MiB, VmHWM %s MiB%n", n, secs(t0), mib(d.status("VmRSS") << 10), mib(d.status("VmHWM") << 10));
        var call = new org.flotilla.wire.RpcCall("VM.get_all_records", List.of(d.session));
        byte[] xml = org.flotilla.wire.XmlRpc.writeCall(call);
        byte[] json = org.flotilla.wire.JsonRpc.writeCall(org.flotilla.wire.JsonRpcVersion.V2, 1, call);
        byte[] events = org.flotilla.wire.XmlRpc.writeCall(new org.flotilla.wire.RpcCall("event.from", List.of(d.session, List.of("*"), "", 1.0)));
        for (String[] what : new String[][] {{"VM.get_all_records, XML-RPC", "/"}, {"VM.get_all_records, JSON-RPC", "/jsonrpc"},
                {"event.from every class, XML-RPC", "/"}}) {
            byte[] body = what[0].startsWith("event") ? events : what[1].equals("/") ? xml : json;
            var ms = new ArrayList<Double>();
            long size = 0;
            String failed = null;
            for (int i = 0; i < 3 && failed == null; i++) {
                long c0 = System.nanoTime();
                try {
                    size = d.post(what[1], body);
                    ms.add(secs(c0) * 1000);
                } catch (Exception e) {
                    failed = e.getMessage();
                }
            }
            System.out.printf("   %-32s %s; VmRSS now %s MiB, VmHWM %s MiB%n", what[0], failed != null ? "FAILED: " + failed
                    : String.format("median %6.0f ms of 3, %,d KiB", VmBench.median(ms), size >> 10), mib(d.status("VmRSS") << 10), mib(d.status("VmHWM") << 10));
        }
        Snapshot s = d.measure();
        String answers;
        try {
            answers = "answers (" + d.call("VM.get_name_label", d.call("VM.get_by_name_label", "membench-record-0") instanceof List<?> l ? l.getFirst() : "") + ")";
        } catch (RuntimeException e) {
            answers = "does not answer: " + e.getMessage();
        }
        System.out.printf("   then: heap used %s / committed %s MiB, GC pauses %.2f s in all; daemon %s, %s; OutOfMemoryError in its log: %s%n",
                mib(s.heapUsed), mib(s.heapCommitted), s.gcSeconds, d.process.isAlive() ? "alive" : "DEAD", answers,
                d.log().contains("OutOfMemoryError") ? "YES" : "no");
    }

    // ---- the report -------------------------------------------------------------------------------

    private void report(Map<String, Result> results, int vms, int running) {
        var names = new ArrayList<>(results.keySet());
        System.out.printf("%n== %d VM records, %d running: the daemon's memory (MiB: /proc/<pid>/status and smaps_rollup, jcmd GC.heap_info, VM.metaspace, Compiler.codecache, and NMT summary's committed) ==%n", vms, running);
        String head = "%-34s" + " %20s".repeat(names.size()) + "%n";
        System.out.printf(head, fill("", names.toArray()));
        row(names, results, "daemon start to first login (s)", r -> String.format("%.1f", r.startupS));
        row(names, results, "VM.start returns (ms), median", r -> String.format("%.0f", r.vmStartMs));
        row(names, results, "login (ms) / getter (µs), medians", r -> String.format("%.0f / %.0f", r.loginMs, r.getterUs));
        row(names, results, "workload round (ms), median", r -> String.format("%.0f (×%d)", r.roundMs, r.rounds));
        row(names, results, "daemon CPU (s), start to workload's end", r -> String.format("%.1f", r.cpuWorkloadS));
        row(names, results, "daemon CPU settled (% of a core)", r -> String.format("%.2f", r.cpuSettledPct));
        row(names, results, "fresh daemon: VmRSS / Pss", r -> mib(r.fresh.rss) + " / " + mib(r.fresh.pss));
        for (var phase : List.of("after workload", "settled")) {
            boolean after = phase.equals("after workload");
            System.out.printf("%s%n", after ? "after the workload" : "settled (" + results.values().iterator().next().settleS + " s later, VMs running, no client)");
            java.util.function.Function<Result, Snapshot> s = r -> after ? r.afterWorkload : r.settled;
            row(names, results, "  VmRSS", r -> mib(s.apply(r).rss));
            row(names, results, "  Pss", r -> mib(s.apply(r).pss));
            row(names, results, "  VmHWM (peak so far)", r -> mib(s.apply(r).hwm));
            row(names, results, "  RssAnon / RssFile / RssShmem", r -> mib(s.apply(r).anon) + " / " + mib(s.apply(r).file) + " / " + mib(s.apply(r).shmem));
            row(names, results, "  heap used / committed", r -> mib(s.apply(r).heapUsed) + " / " + mib(s.apply(r).heapCommitted));
            row(names, results, "  metaspace used / committed", r -> mib(s.apply(r).metaUsed) + " / " + mib(s.apply(r).metaCommitted));
            row(names, results, "  code cache used", r -> mib(s.apply(r).codeUsed));
            row(names, results, "  threads", r -> Long.toString(s.apply(r).threads));
            row(names, results, "  GC pauses, total (s)", r -> s.apply(r).gcSeconds < 0 ? "?" : String.format("%.2f", s.apply(r).gcSeconds));
            boolean anyNmt = results.values().stream().anyMatch(r -> !s.apply(r).nmt.isEmpty());
            if (anyNmt) {
                for (String cat : NMT_ROWS) row(names, results, "  NMT " + cat, r -> mibOrDash(s.apply(r).nmt.get(cat)));
                row(names, results, "  NMT rest", r -> mibOrDash(s.apply(r).nmtRest()));
                row(names, results, "  NMT total committed", r -> mibOrDash(s.apply(r).nmt.get("Total")));
            }
        }
        if (names.contains("before") && names.contains("deployed")) {
            Result b = results.get("before"), d = results.get("deployed");
            System.out.printf("%ndeployed / before: VmRSS after the workload %.2f, settled %.2f; VmHWM %.2f%n", (double) d.afterWorkload.rss / b.afterWorkload.rss,
                    (double) d.settled.rss / b.settled.rss, (double) d.settled.hwm / b.settled.hwm);
        }
        if (results.containsKey("deployed") && vms == 100 && running == 10) {
            Result d = results.get("deployed");
            long target = 128L << 20;
            System.out.printf("design target (≤ 128 MiB resident with 100 VM records and 10 running VMs): after the workload %s, settled %s%n",
                    d.afterWorkload.rss <= target ? "met" : "NOT met", d.settled.rss <= target ? "met" : "NOT met");
        }
        for (var e : results.entrySet()) System.out.printf("JVM options of %s: %s%n", e.getKey(), e.getValue().jvmArgs);
        System.out.printf("load average now %s%n", loadavg());
    }

    private static final List<String> NMT_ROWS = List.of("Java Heap", "Class", "Metaspace", "Code", "Thread", "GC", "Compiler",
            "Internal", "Other", "Symbol", "Shared class space", "Arena Chunk", "Native Memory Tracking");

    private static void row(List<String> names, Map<String, Result> results, String label, java.util.function.Function<Result, String> f) {
        var cells = new ArrayList<Object>();
        for (String n : names) cells.add(f.apply(results.get(n)));
        System.out.printf("%-34s" + " %20s".repeat(names.size()) + "%n", fill(label, cells.toArray()));
    }

    private static Object[] fill(Object first, Object[] rest) {
        var a = new Object[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    private static String mib(long bytes) { return String.format("%.1f", bytes / 1048576.0); }

    private static String mibOrDash(Long bytes) { return bytes == null ? "-" : mib(bytes); }

    // ---- one daemon -------------------------------------------------------------------------------

    /** What one variant measured. */
    private static final class Result {
        final String jvmArgs;
        Snapshot fresh, afterWorkload, settled;
        double startupS, createS, startS, vmStartMs, roundMs, loginMs, getterUs, cpuWorkloadS, cpuSettledPct;
        int rounds, classes, settleS;
        long rrdKiB;

        Result(String jvmArgs) { this.jvmArgs = jvmArgs; }
    }

    /** The daemon's memory at one moment, in bytes; NMT's committed by category (empty without NMT). */
    record Snapshot(long rss, long pss, long hwm, long anon, long file, long shmem, long threads, long heapUsed, long heapCommitted, long metaUsed,
            long metaCommitted, long codeUsed, double gcSeconds, Map<String, Long> nmt) {
        Long nmtRest() {
            if (!nmt.containsKey("Total")) return null;
            long listed = NMT_ROWS.stream().mapToLong(c -> nmt.getOrDefault(c, 0L)).sum();
            return nmt.get("Total") - listed;
        }
    }

    /** A daemon process started through bin/flotilla on a state directory of its own, and a root session on it. */
    private static final class Daemon implements AutoCloseable {
        final String name;
        final Path dir;
        final Path state;
        final Process process;
        final int port;
        final DaemonMemoryBench bench;
        Rpc rpc;
        String session;
        String password;
        String hostUuid;
        double startupS;

        private Daemon(DaemonMemoryBench bench, String name, Path dir, Process process, int port) {
            this.bench = bench;
            this.name = name;
            this.dir = dir;
            this.state = dir.resolve("state");
            this.process = process;
            this.port = port;
        }

        static Daemon launch(DaemonMemoryBench bench, String name, String javaOpts, boolean nmt, String extraEnv) throws Exception {
            Path dir = bench.root.resolve(name);
            TestGuest.deleteTree(dir);
            Path state = dir.resolve("state");
            TestDomainIds.seed(state); // domain ids (jail uids) of its own, apart from other daemons on this machine
            String password = "membench-" + ProcessHandle.current().pid();
            Path pw = dir.resolve("password");
            Files.writeString(pw, password);
            int port;
            try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) { port = s.getLocalPort(); }
            var pb = new ProcessBuilder(List.of(TestGuest.REPO.resolve("bin/flotilla").toString(), "serve", "--state-dir", state.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--address", "127.0.0.1", "--root-password-file", pw.toString()));
            var env = pb.environment();
            env.remove("FLOTILLA_JAVA_OPTS");
            env.remove("FLOTILLA_APP");
            env.remove("JDK_JAVA_OPTIONS");
            if (javaOpts != null) env.put("FLOTILLA_JAVA_OPTS", javaOpts);
            if (nmt) env.put("JDK_JAVA_OPTIONS", NMT);
            env.put("FLOTILLA_GUEST_DIR", TestGuest.DIR.toString());
            env.put("JAVA_HOME", System.getProperty("java.home"));
            for (String kv : extraEnv.split(",")) if (kv.contains("=")) env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            Process p = pb.redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Files.writeString(dir.resolve("daemon.pid"), Long.toString(p.pid())); // for bench/daemon-memory.sh's trap
            var d = new Daemon(bench, name, dir, p, port);
            bench.daemons.add(d);
            long t0 = System.nanoTime();
            d.awaitServing(password);
            d.startupS = secs(t0);
            return d;
        }

        private void awaitServing(String password) throws InterruptedException {
            var client = RemoteRpc.of("127.0.0.1", port, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    session = (String) client.call("session.login_with_password", new ArrayList<>(List.of("root", password)));
                    rpc = client;
                    this.password = password;
                    hostUuid = (String) call("host.get_uuid", call("session.get_this_host", session));
                    return;
                } catch (ApiError e) {
                    if (!RemoteRpc.unreachable(e)) throw e;
                }
                if (!process.isAlive()) throw new IllegalStateException(name + "'s daemon exited (" + process.exitValue() + "): " + log());
                if (System.nanoTime() > deadline) throw new IllegalStateException(name + "'s daemon did not serve within 90 s: " + log());
                Thread.sleep(100);
            }
        }

        Object call(String method, Object... params) {
            var a = new ArrayList<Object>();
            a.add(session);
            a.addAll(Arrays.asList(params));
            return rpc.call(method, a);
        }

        /** GETs a path of the daemon's HTTPS server; the reply's size. */
        long get(String pathAndQuery) throws Exception {
            var reply = bench.http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (reply.statusCode() != 200) throw new IllegalStateException("GET " + pathAndQuery.replaceAll("session_id=[^&]*", "session_id=…") + ": " + reply.statusCode());
            return reply.body().length;
        }

        /** POSTs a body to a path of the daemon's HTTPS server; the size of the reply, read whole. */
        long post(String path, byte[] body) throws Exception {
            var reply = bench.http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (reply.statusCode() != 200) throw new IllegalStateException("POST " + path + ": " + reply.statusCode());
            return reply.body().length;
        }

        /** A field of /proc/<pid>/status as it is there: kB for memory, a count of threads. */
        long status(String field) throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (l.startsWith(field + ":")) return Long.parseLong(l.substring(field.length() + 1).strip().split("\\s+")[0]);
            }
            throw new IllegalStateException("no " + field + " in /proc/" + process.pid() + "/status");
        }

        /** The daemon's proportional set size (/proc/<pid>/smaps_rollup's Pss): its shared pages (libjvm, the JDK's jars) divided among the processes mapping them; -1 if absent. */
        long pss() throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/smaps_rollup"))) {
                if (l.startsWith("Pss:")) return Long.parseLong(l.substring(4).strip().split("\\s+")[0]) << 10;
            }
            return -1;
        }

        /** The CPU time the daemon has used (utime + stime of /proc/<pid>/stat), in seconds. */
        double cpuSeconds() throws IOException {
            String st = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
        }

        String logTail() {
            String l = log();
            return l.substring(Math.max(0, l.length() - 3000));
        }

        /** VM.start, and waits for the guest's up line; how long VM.start took to return, in ms. */
        double start(String vm) throws Exception {
            Object[] mark = serialMark(vm);
            long t0 = System.nanoTime();
            call("VM.start", vm, false, false);
            double ms = secs(t0) * 1000;
            awaitUp(vm, mark);
            return ms;
        }

        Path serial(String vm) { return state.resolve("run").resolve((String) call("VM.get_uuid", vm)).resolve("serial.log"); }

        /** Where the VM's serial log is now: {its inode or null, its length}. */
        Object[] serialMark(String vm) throws IOException {
            Path serial = serial(vm);
            return Files.exists(serial) ? new Object[] {Files.getAttribute(serial, "unix:ino"), Files.size(serial)} : new Object[] {null, 0L};
        }

        /** Waits for an up line written since {@code mark}: in the same log past its length, or anywhere in a log made since. */
        void awaitUp(String vm, Object[] mark) throws Exception {
            Path serial = serial(vm);
            long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
            while (true) {
                if (Files.exists(serial)) {
                    String s = Files.readString(serial);
                    boolean same = mark[0] != null && mark[0].equals(Files.getAttribute(serial, "unix:ino"));
                    if ((same ? s.substring((int) Math.min(s.length(), (long) mark[1])) : s).contains(UP)) return;
                }
                if (System.nanoTime() > deadline) {
                    String s = Files.exists(serial) ? Files.readString(serial) : "(none)";
                    throw new IllegalStateException(vm + ": no '" + UP + "' on " + serial + " within " + BOOT_TIMEOUT + "; it ends: "
                            + s.substring(Math.max(0, s.length() - 2000)));
                }
                Thread.sleep(50);
            }
        }

        /** hard_shutdown of each VM still running. */
        void stopVms(List<String> vms) {
            for (String vm : vms) {
                try {
                    if ("Running".equals(call("VM.get_power_state", vm)) || "Paused".equals(call("VM.get_power_state", vm))) call("VM.hard_shutdown", vm);
                } catch (RuntimeException e) {
                    System.out.println("   stopping " + vm + ": " + e.getMessage());
                }
            }
        }

        String jvmArgs() throws Exception {
            return jcmd("VM.command_line").lines().filter(l -> l.startsWith("jvm_args:")).findFirst().map(l -> l.substring(9).strip()).orElse("?");
        }

        Snapshot measure() throws Exception {
            long[] heap = heapFigures(jcmd("GC.heap_info"));
            String meta = jcmd("VM.metaspace", "basic").lines().filter(l -> l.startsWith("Metaspace")).findFirst().orElse("");
            Matcher code = Pattern.compile("CodeCache: size=\\d+Kb,? used=(\\d+)Kb").matcher(jcmd("Compiler.codecache"));
            Map<String, Long> nmt = nmt(jcmd("VM.native_memory", "summary"));
            var s = new Snapshot(status("VmRSS") << 10, pss(), status("VmHWM") << 10, status("RssAnon") << 10, status("RssFile") << 10,
                    status("RssShmem") << 10, status("Threads"), heap[0], heap[1], first(USED, meta),
                    first(Pattern.compile("committed (\\d+)([KMG])"), meta), code.find() ? Long.parseLong(code.group(1)) << 10 : -1,
                    gcSeconds(jcmd("PerfCounter.print")), nmt);
            return s;
        }

        String jcmd(String... command) throws Exception {
            var cmd = new ArrayList<>(List.of(JCMD.toString(), Long.toString(process.pid())));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            return out;
        }

        String log() {
            try { return Files.readString(dir.resolve("daemon.log")); } catch (IOException e) { return "(no log: " + e + ")"; }
        }

        /** SIGTERM (the daemon closes its database), SIGKILL after 20 s; then whatever QEMU outlived it, and its cgroups. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(20, TimeUnit.SECONDS)) { process.destroyForcibly(); process.waitFor(10, TimeUnit.SECONDS); }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            for (long pid : qemus(dir)) TestLeftovers.kill(pid);
            // the cgroups of VMs whose QEMU was killed rather than stopped by the daemon (beside this JVM's, where it made them)
            if (hostUuid != null) {
                Cgroups cgroups = Cgroups.host();
                for (String vm : cgroups.existing(hostUuid)) cgroups.remove(hostUuid, vm);
            }
            TestGuest.deleteTree(dir);
        }
    }

    // ---- parsing jcmd's output --------------------------------------------------------------------

    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");
    private static final Pattern COMMITTED = Pattern.compile("(?:committed|capacity) (\\d+)([KMG])|total (\\d+)([KMG])");

    /** {heap used, heap committed} from GC.heap_info (Serial, Parallel, G1 or ZGC's: the lines of a generation or of the whole heap). */
    static long[] heapFigures(String heapInfo) {
        long used = 0, committed = 0;
        for (String l : heapInfo.lines().toList()) {
            String t = l.strip();
            // a space of a generation (eden, from, to, the) is counted in its generation's line
            if (!t.matches("^(DefNew|Tenured|PSYoungGen|ParOldGen|garbage-first heap|ZHeap|Shenandoah|def new|tenured).*")) continue;
            Matcher u = USED.matcher(t);
            if (!u.find()) continue;
            used += bytes(u.group(1), u.group(2));
            Matcher c = COMMITTED.matcher(t);
            if (c.find()) committed += c.group(1) != null ? bytes(c.group(1), c.group(2)) : bytes(c.group(3), c.group(4));
        }
        return new long[] {used, committed};
    }

    private static long first(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? bytes(m.group(1), m.group(2)) : 0;
    }

    private static long bytes(String n, String unit) {
        return Long.parseLong(n) << switch (unit) { case "K" -> 10; case "M" -> 20; default -> 30; };
    }

    private static final Pattern NMT_LINE = Pattern.compile("^-?\\s*(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");

    /** NMT summary's committed KiB by category, and the total, in bytes; empty when NMT is off. */
    static Map<String, Long> nmt(String summary) {
        var out = new LinkedHashMap<String, Long>();
        for (String l : summary.lines().toList()) {
            Matcher t = NMT_TOTAL.matcher(l.strip());
            if (t.find()) { out.put("Total", Long.parseLong(t.group(1)) << 10); continue; }
            if (!l.startsWith("-")) continue;
            Matcher m = NMT_LINE.matcher(l);
            if (m.find()) out.put(m.group(1).strip(), Long.parseLong(m.group(2)) << 10);
        }
        return out;
    }

    /** The GCs' total time from the perf counters (sun.gc.collector.N.time, in ticks of sun.os.hrt.frequency); -1 if absent. */
    static double gcSeconds(String counters) {
        long ticks = 0, hz = 0;
        boolean any = false;
        for (String l : counters.lines().toList()) {
            Matcher m = Pattern.compile("^sun\\.gc\\.collector\\.\\d+\\.time=(\\d+)").matcher(l);
            if (m.find()) { ticks += Long.parseLong(m.group(1)); any = true; }
            if (l.startsWith("sun.os.hrt.frequency=")) hz = Long.parseLong(l.substring(l.indexOf('=') + 1).strip());
        }
        return any && hz > 0 ? (double) ticks / hz : -1;
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The live QEMUs and swtpms whose pid files lie under {@code dir} and that run in its jails (or name it on their command line). */
    static List<Long> qemus(Path dir) {
        var out = new ArrayList<Long>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.find(dir, 6, (p, a) -> a.isRegularFile() && p.getFileName().toString().matches("(qemu|swtpm)\\.pid"))) {
            for (Path f : files.toList()) {
                try {
                    long pid = Long.parseLong(Files.readString(f).strip());
                    boolean qemu = ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.contains("qemu") || c.contains("swtpm")).orElse(false);
                    boolean ours;
                    try {
                        ours = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).startsWith(dir);
                    } catch (IOException e) {
                        ours = false;
                    }
                    if (qemu && ours) out.add(pid);
                } catch (IOException | NumberFormatException ignored) {
                    // gone meanwhile, or half written
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the directory went away meanwhile
        }
        return out;
    }

    /** Every daemon this bench started, killed, and what they ran; the state directories removed. Idempotent; also a shutdown hook. */
    private void cleanup() {
        if (!cleaned.compareAndSet(false, true)) return;
        for (Daemon d : daemons) {
            try {
                d.close();
            } catch (RuntimeException e) {
                System.err.println("stopping " + d.name + "'s daemon: " + e);
            }
        }
        TestGuest.deleteTree(root);
    }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }

    private static long meminfo(String key) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith(key + ":")) return Long.parseLong(l.substring(key.length() + 1).strip().split("\\s+")[0]);
        }
        return -1;
    }

    private static String loadavg() {
        try { return Files.readString(Path.of("/proc/loadavg")).strip(); } catch (IOException e) { return "?"; }
    }

    private List<Integer> intsOpt(String key, String dflt) {
        return Arrays.stream(opts.getOrDefault(key, dflt).split(",")).map(String::strip).map(Integer::valueOf).toList();
    }

    private int intOpt(String key, int dflt) { return Integer.parseInt(opts.getOrDefault(key, Integer.toString(dflt))); }
}

package org.flotilla.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.Accelerator;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.TestGuest;
import org.flotilla.server.ApiServerConfig;

/**
 * VMs on one host, each Flotilla figure beside a baseline taken in the same run: the same QEMU command line
 * (the {@code argv} Flotilla wrote for the VM) launched by hand, as root, without setsid/setpriv.
 * <ol>
 *   <li>start latency: XenAPI {@code VM.start} over HTTPS until it returns with the VM Running, and until the
 *       guest's first serial line and its {@code FLOTILLA-GUEST up} line; raw: exec until QMP {@code cont} +
 *       {@code query-status} says running, and until the same serial lines. Median of N, rounds alternating
 *       which goes first, after one untimed warm-up of each.</li>
 *   <li>memory per idle 128 MiB guest: VmRSS, Pss, the Rss of the guest-RAM mapping (guest memory actually
 *       touched) and what is left beyond it (the VMM's own), broken down from {@code /proc/<pid>/smaps}.</li>
 *   <li>density: idle 128 MiB guests started one by one through the API, each awaited to its up line, until a
 *       count, time or free-memory bound; then each QEMU's CPU over an idle window from {@code /proc/<pid>/stat};
 *       then all stopped (clean_shutdown, hard_shutdown if that fails).</li>
 * </ol>
 * Run with {@code bench/vm.sh [key=value ...]}; keys: sections (latency,memory,density), runs, mem-reps, settle-s,
 * density-max, density-minutes, margin-mib, idle-s, state (a directory to use, removed at the end). Not part
 * of the test suite. Every QEMU it starts is killed by pid at the end, whatever happened (also on SIGTERM/SIGINT);
 * the state directory is removed.
 */
public final class VmBench {
    static final String UP = "FLOTILLA-GUEST up";
    static final long GUEST_MIB = 128;
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> opts;
    private final Path state;
    private final Path guest;
    private final Set<Long> rawPids = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private Daemon daemon;
    private Rpc rpc;
    private String session;

    private VmBench(Map<String, String> opts, Path state, Path guest) {
        this.opts = opts;
        this.state = state;
        this.guest = guest;
    }

    public static void main(String[] args) throws Exception {
        var opts = BenchArgs.parse(args);
        Path guest = TestGuest.DIR;
        if (!Files.isRegularFile(guest.resolve("vmlinux")) || !Files.isRegularFile(guest.resolve("initramfs.gz"))) {
            throw new IllegalStateException("no test guest in " + guest + ": run scripts/build-guest.sh");
        }
        Path state = opts.containsKey("state") ? Path.of(opts.get("state")) : Files.createTempDirectory("flotilla-vmbench");
        Files.createDirectories(state);
        var bench = new VmBench(opts, state, guest);
        CleanupHook.around("vmbench-cleanup", bench::run, bench::cleanup);
    }

    private void run() throws Exception {
        System.setProperty("flotilla.kernel-dirs", guest.toString());
        machine();
        daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1");
        daemon.node().vmRuntime().setShutdownTimeout(Duration.ofSeconds(30));
        rpc = RemoteRpc.of("127.0.0.1", daemon.httpsPort(), true);
        session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
        List<String> sections = List.of(opts.getOrDefault("sections", "latency,memory,density").split(","));
        if (sections.contains("latency")) latency(intOpt("runs", 7));
        if (sections.contains("memory")) memory(intOpt("mem-reps", 3), intOpt("settle-s", 5));
        if (sections.contains("density")) {
            density(intOpt("density-max", 24), intOpt("density-minutes", 5), intOpt("margin-mib", 2048), intOpt("idle-s", 10));
        }
    }

    // ---- the machine ------------------------------------------------------------------------------

    private void machine() throws Exception {
        Map<String, Long> mem = meminfo();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        String qemu = new String(new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start()
                .getInputStream().readAllBytes()).lines().findFirst().orElse("?");
        System.out.printf("machine: %d cores (%s), memory %,d MiB total, %,d MiB available; accel %s; %s; Java %s%n",
                Runtime.getRuntime().availableProcessors(), cpu, mem.get("MemTotal") >> 10, mem.get("MemAvailable") >> 10,
                Accelerator.detect(), qemu, Runtime.version());
        System.out.printf("  load average %s; other QEMU processes on the host (not this bench's): %d%n",
                Files.readString(Path.of("/proc/loadavg")).strip(), otherQemus());
    }

    // ---- 1. start latency -------------------------------------------------------------------------

    private void latency(int runs) throws Exception {
        String vm = newVm("vmbench-latency");
        var api = new ArrayList<Double>();
        var apiFirst = new ArrayList<Double>();
        var apiUp = new ArrayList<Double>();
        var raw = new ArrayList<Double>();
        var rawFirst = new ArrayList<Double>();
        var rawUp = new ArrayList<Double>();
        String firstLine = null;
        for (int i = -1; i < runs; i++) {
            boolean rawFirstInRound = i >= 0 && (i & 1) == 1; // the warm-up starts through the API: raw needs its argv
            for (int k = 0; k < 2; k++) {
                if ((k == 0) == rawFirstInRound) {
                    double[] r = rawStart(vm, "lat" + (i + 1));
                    if (i >= 0) { raw.add(r[0]); rawFirst.add(r[1]); rawUp.add(r[2]); }
                } else {
                    long t0 = System.nanoTime();
                    call("VM.start", vm, false, false);
                    double ms = ms(t0);
                    if (!"Running".equals(call("VM.get_power_state", vm))) throw new IllegalStateException("VM.start returned, VM not Running");
                    Path serial = runDir(vm).resolve("serial.log");
                    double first = awaitSerial(serial, null, t0);
                    double up = awaitSerial(serial, UP, t0);
                    if (firstLine == null) firstLine = Files.readString(serial).lines().findFirst().orElse("");
                    lastArgv(vm);
                    call("VM.hard_shutdown", vm);
                    if (i >= 0) { api.add(ms); apiFirst.add(first); apiUp.add(up); }
                }
            }
        }
        System.out.printf("%n1. VM.start latency, idle %d MiB guest, median of %d (raw: the same argv exec'd by hand, QMP cont)%n", GUEST_MIB, runs);
        System.out.printf("   guest's first serial line: \"%s\"%n", firstLine);
        row("   → Running    ", "VM.start returns", api, "exec → QMP running", raw);
        row("   → first line ", "VM.start", apiFirst, "exec", rawFirst);
        row("   → up line    ", "VM.start", apiUp, "exec", rawUp);
        System.out.printf("   (design target: VM.start returning with the VM running within 1.5× raw: %s; ratio = of the medians,"
                + " paired = median of each round's own ratio)%n", median(api) / median(raw) <= 1.5 ? "met" : "NOT met");
        load();
        call("VM.destroy", vm);
    }

    /** Medians, their ratio, and the median of the ratios within each round (the two runs of a round are adjacent in time). */
    private static void row(String what, String a, List<Double> av, String b, List<Double> bv) {
        var paired = new ArrayList<Double>();
        for (int i = 0; i < av.size(); i++) paired.add(av.get(i) / bv.get(i));
        System.out.printf("%s Flotilla (%s) %7.1f ms   raw (%s) %7.1f ms   ratio %.2f, paired %.2f   [ranges: Flotilla %s, raw %s ms]%n",
                what, a, median(av), b, median(bv), median(av) / median(bv), median(paired), spread(av), spread(bv));
    }

    /** Launches the VM's last argv by hand: {exec → running ms, → first serial line ms, → up line ms}; stops it. */
    private double[] rawStart(String vm, String name) throws Exception {
        Raw r = rawLaunch(vm, name);
        try {
            double first = awaitSerial(r.dir.resolve("serial.log"), null, r.t0);
            double up = awaitSerial(r.dir.resolve("serial.log"), UP, r.t0);
            return new double[] {r.runningMs, first, up};
        } finally {
            r.stop();
        }
    }

    /** A hand-launched QEMU. */
    private final class Raw {
        final Path dir;
        final Process p;
        final Qmp qmp;
        final long t0;
        final double runningMs;

        Raw(Path dir, Process p, Qmp qmp, long t0, double runningMs) {
            this.dir = dir;
            this.p = p;
            this.qmp = qmp;
            this.t0 = t0;
            this.runningMs = runningMs;
        }

        void stop() {
            try { qmp.execute("quit"); } catch (Exception ignored) { }
            try { qmp.close(); } catch (Exception ignored) { }
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) { p.destroyForcibly(); p.waitFor(5, TimeUnit.SECONDS); }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (!p.isAlive()) rawPids.remove(p.pid());
            deleteTree(dir);
        }
    }

    private Raw rawLaunch(String vm, String name) throws Exception {
        // the argv of the VM's last start (the run dir is remade at each start; argv is written before exec)
        List<String> argv = lastArgv(vm);
        Path dir = state.resolve("raw").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir);
        // Flotilla's argv names files as its jail sees them (/vm is the run dir, the kernel a link in it): by hand,
        // QEMU opens the kernel where it lies and keeps its sockets in a directory of its own
        if (argv.contains("-add-fd")) throw new IllegalStateException("the raw baseline takes VMs without disks or firmware stores");
        var cmd = new ArrayList<String>();
        for (String s : argv) {
            cmd.add(s.equals("/vm/kernel") ? (String) call("VM.get_PV_kernel", vm)
                    : s.equals("/vm/initrd") ? (String) call("VM.get_PV_ramdisk", vm)
                    : s.replace("/vm/", dir + "/"));
        }
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        rawPids.add(p.pid());
        Qmp qmp;
        try {
            qmp = Qmp.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(30), () -> !p.isAlive());
        } catch (IOException e) {
            p.destroyForcibly();
            throw new IllegalStateException("raw QEMU did not start: " + readQuietly(dir.resolve("qemu.log")), e);
        }
        try {
            qmp.execute("cont");
            String status = qmp.execute("query-status").path("status").asText();
            double ms = ms(t0);
            if (!status.equals("running")) throw new IllegalStateException("raw QEMU status " + status);
            return new Raw(dir, p, qmp, t0, ms);
        } catch (Exception e) {
            qmp.close();
            p.destroyForcibly();
            throw e;
        }
    }

    private final Map<String, List<String>> lastArgvCache = new ConcurrentHashMap<>();

    private List<String> lastArgv(String vm) throws IOException {
        Path f = runDir(vm).resolve("argv");
        if (Files.isRegularFile(f)) {
            List<String> a = Files.readAllLines(f);
            lastArgvCache.put(vm, a);
            return a;
        }
        List<String> a = lastArgvCache.get(vm);
        if (a == null) throw new IllegalStateException("no argv for " + vm + ": start it through the API first");
        return a;
    }

    // ---- 2. memory --------------------------------------------------------------------------------

    private void memory(int reps, int settleS) throws Exception {
        String vm = newVm("vmbench-memory");
        var flo = new ArrayList<Mem>();
        var raw = new ArrayList<Mem>();
        for (int i = 0; i < reps; i++) {
            call("VM.start", vm, false, false);
            Path serial = runDir(vm).resolve("serial.log");
            awaitSerial(serial, UP, System.nanoTime());
            lastArgv(vm);
            Thread.sleep(settleS * 1000L);
            long pid = daemon.node().vmRuntime().pids().get(VM.CLASS.ref(vm));
            flo.add(Mem.of(pid, GUEST_MIB << 10, guest.resolve("vmlinux")));
            call("VM.hard_shutdown", vm);

            Raw r = rawLaunch(vm, "mem" + i);
            try {
                awaitSerial(r.dir.resolve("serial.log"), UP, r.t0);
                Thread.sleep(settleS * 1000L);
                raw.add(Mem.of(r.p.pid(), GUEST_MIB << 10, guest.resolve("vmlinux")));
            } finally {
                r.stop();
            }
        }
        Mem f = Mem.median(flo);
        Mem w = Mem.median(raw);
        System.out.printf("%n2. memory of one idle %d MiB guest's QEMU, %d s after its up line, median of %d (MiB)%n", GUEST_MIB, settleS, reps);
        String head = "   %-22s %7s %7s %9s %11s %11s %10s │ %8s %8s %7s %7s %7s%n";
        System.out.printf(head, "", "VmRSS", "Pss", "guest RAM", "RSS−128 MiB", "RSS−touched", "anon−", "TCG code", "kernel", "other", "heap", "other");
        System.out.printf(head, "", "", "", "touched", "(visible)", "(VMM's own)", "touched", "cache", "file map", "files", "", "anon");
        memRow("raw QEMU (same argv)", w);
        memRow("Flotilla VM.start", f);
        System.out.printf("   %-22s %7.2f %7.2f %9.2f %11.2f %11.2f %10.2f%n", "ratio Flotilla / raw", ratio(f.rss, w.rss), ratio(f.pss, w.pss),
                ratio(f.guestRam, w.guestRam), ratio(f.rss - (GUEST_MIB << 10), w.rss - (GUEST_MIB << 10)), ratio(f.own(), w.own()),
                ratio(f.ownAnon(), w.ownAnon()));
        System.out.printf("   (Firecracker publishes ≤5 MiB VMM overhead under KVM. Here, under TCG, Flotilla's QEMU holds %.1f MiB beyond the"
                + " guest RAM touched: %.1f MiB TCG code cache, %.1f MiB page cache of the guest kernel's ELF (mapped by the PVH loader,"
                + " shared by all guests of that kernel), %.1f MiB QEMU's own binary and libraries; private to it and not TCG: %.1f MiB)%n",
                f.own() / 1024.0, f.tcg / 1024.0, f.kernel / 1024.0, f.files / 1024.0, (f.ownAnon() - f.tcg) / 1024.0);
        load();
        call("VM.destroy", vm);
    }

    private static void memRow(String name, Mem m) {
        System.out.printf("   %-22s %7.1f %7.1f %9.1f %11.1f %11.1f %10.1f │ %8.1f %8.1f %7.1f %7.1f %7.1f%n", name, m.rss / 1024.0,
                m.pss / 1024.0, m.guestRam / 1024.0, (m.rss - (GUEST_MIB << 10)) / 1024.0, m.own() / 1024.0, m.ownAnon() / 1024.0,
                m.tcg / 1024.0, m.kernel / 1024.0, m.files / 1024.0, m.heap / 1024.0, m.otherAnon() / 1024.0);
    }

    /**
     * A QEMU's memory in KiB: VmRSS, RssAnon, Pss, and the Rss of its guest RAM (the anonymous mapping of exactly the
     * guest's size), TCG code buffer (anonymous executable), the guest kernel's file mapping, other files, heap.
     */
    record Mem(long rss, long rssAnon, long pss, long guestRam, long tcg, long kernel, long files, long heap) {
        /** Beyond the guest RAM touched: the VMM's own. */
        long own() { return rss - guestRam; }

        /** The VMM's own that is private to this QEMU (no page cache: not shared with other QEMUs). */
        long ownAnon() { return rssAnon - guestRam; }

        long otherAnon() { return rssAnon - guestRam - tcg - heap; }

        static Mem of(long pid, long guestKiB, Path kernel) throws IOException {
            Path status = Path.of("/proc/" + pid + "/status");
            long rss = field(status, "VmRSS:");
            long rssAnon = field(status, "RssAnon:");
            long pss = field(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
            long guestRam = 0, tcg = 0, kern = 0, files = 0, heap = 0;
            String kernelPath = kernel.toRealPath().toString();
            String perms = "", path = "";
            long size = 0;
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
                String[] w = l.trim().split("\\s+");
                if (w.length >= 5 && w[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                    perms = w[1];
                    path = w.length >= 6 ? String.join(" ", Arrays.copyOfRange(w, 5, w.length)) : "";
                } else if (w[0].equals("Size:")) {
                    size = Long.parseLong(w[1]);
                } else if (w[0].equals("Rss:")) {
                    long r = Long.parseLong(w[1]);
                    boolean anon = path.isEmpty();
                    if (anon && size == guestKiB && perms.startsWith("rw") && r > guestRam) guestRam = r;
                    else if (perms.contains("x") && (anon || path.contains("memfd") || path.contains("tcg"))) tcg += r;
                    else if (path.equals(kernelPath)) kern += r;
                    else if (path.equals("[heap]")) heap += r;
                    else if (path.startsWith("/")) files += r;
                }
            }
            return new Mem(rss, rssAnon, pss, guestRam, tcg, kern, files, heap);
        }

        static Mem median(List<Mem> ms) {
            return new Mem(med(ms, Mem::rss), med(ms, Mem::rssAnon), med(ms, Mem::pss), med(ms, Mem::guestRam), med(ms, Mem::tcg),
                    med(ms, Mem::kernel), med(ms, Mem::files), med(ms, Mem::heap));
        }

        private static long med(List<Mem> ms, java.util.function.ToLongFunction<Mem> f) {
            long[] v = ms.stream().mapToLong(f).sorted().toArray();
            return v[v.length / 2];
        }
    }

    // ---- 3. density -------------------------------------------------------------------------------

    private void density(int max, int minutes, int marginMiB, int idleS) throws Exception {
        var vms = new ArrayList<String>();
        var pids = new ArrayList<Long>();
        var startMs = new ArrayList<Double>();
        var upMs = new ArrayList<Double>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        long availBefore = meminfo().get("MemAvailable");
        String stop = "reached " + max + " guests";
        try {
            while (vms.size() < max) {
                if (System.nanoTime() > deadline) { stop = "time bound (" + minutes + " min)"; break; }
                long avail = meminfo().get("MemAvailable") >> 10;
                if (avail - GUEST_MIB < marginMiB) { stop = "host MemAvailable " + avail + " MiB near the " + marginMiB + " MiB margin"; break; }
                String vm = newVm("vmbench-density-" + vms.size());
                vms.add(vm);
                long t0 = System.nanoTime();
                try {
                    call("VM.start", vm, false, false);
                } catch (RuntimeException e) {
                    stop = "VM.start of guest " + (vms.size()) + " failed: " + e.getMessage();
                    break;
                }
                startMs.add(ms(t0));
                pids.add(daemon.node().vmRuntime().pids().get(VM.CLASS.ref(vm)));
                try {
                    upMs.add(awaitSerial(runDir(vm).resolve("serial.log"), UP, t0));
                } catch (IllegalStateException e) {
                    stop = "guest " + vms.size() + " did not reach its up line within " + BOOT_TIMEOUT.toSeconds() + " s";
                    break;
                }
            }
            int up = upMs.size();
            long availAfter = meminfo().get("MemAvailable");
            System.out.printf("%n3. density: idle %d MiB guests started one by one through the API, each awaited to its up line%n", GUEST_MIB);
            System.out.printf("   %d guests up; stopped because: %s%n", up, stop);
            if (up > 0) {
                System.out.printf("   VM.start: 1st %.0f ms, last %.0f ms, median %.0f ms; start → up line: 1st %.0f ms, last %.0f ms, median %.0f ms%n",
                        startMs.get(0), startMs.get(up - 1), median(startMs), upMs.get(0), upMs.get(up - 1), median(upMs));
                long rss = 0, pss = 0;
                for (int i = 0; i < up; i++) {
                    rss += field(Path.of("/proc/" + pids.get(i) + "/status"), "VmRSS:");
                    pss += field(Path.of("/proc/" + pids.get(i) + "/smaps_rollup"), "Pss:");
                }
                System.out.printf("   host MemAvailable %,d → %,d MiB (%.0f MiB per guest, moved by anything else on the host too); QEMU VmRSS sum %,d MiB (%.0f per guest),"
                        + " Pss sum %,d MiB (%.0f per guest: shared pages counted once)%n", availBefore >> 10, availAfter >> 10,
                        (availBefore - availAfter) / 1024.0 / up, rss >> 10, rss / 1024.0 / up, pss >> 10, pss / 1024.0 / up);
                if (up == max) {
                    System.out.printf("   (the count bound, not the host's limit: by memory alone, MemAvailable less the %,d MiB margin over"
                            + " %.0f MiB Pss per guest would leave room for ~%d more)%n", marginMiB, pss / 1024.0 / up,
                            (long) (((availAfter >> 10) - marginMiB) / (pss / 1024.0 / up)));
                }
                idleCpu(pids.subList(0, up), idleS);
            }
        } finally {
            stopAll(vms);
        }
    }

    private void idleCpu(List<Long> pids, int seconds) throws Exception {
        long hz = clockTicks();
        long[] before = new long[pids.size()];
        for (int i = 0; i < before.length; i++) before[i] = cpuTicks(pids.get(i));
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double secs = (System.nanoTime() - t0) / 1e9;
        var pct = new ArrayList<Double>();
        double sum = 0;
        for (int i = 0; i < before.length; i++) {
            double p = (cpuTicks(pids.get(i)) - before[i]) * 100.0 / hz / secs;
            pct.add(p);
            sum += p;
        }
        Collections.sort(pct);
        System.out.printf("   idle CPU over %.0f s (utime+stime, /proc/<pid>/stat): per guest median %.2f%%, max %.2f%% of a core;"
                + " all %d together %.1f%% of one core (%.1f%% of the host's %d)%n", secs, median(pct), pct.get(pct.size() - 1),
                pids.size(), sum, sum / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
        System.out.printf("   load average before the window %s, after %s%n", loadBefore, Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** clean_shutdown every VM (4 at a time), hard_shutdown the ones that fail; prints how it went. */
    private void stopAll(List<String> vms) throws InterruptedException {
        if (vms.isEmpty()) return;
        var clean = new AtomicInteger();
        var hard = new AtomicInteger();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (String vm : vms) {
                pool.submit(() -> {
                    try {
                        if (!"Running".equals(call("VM.get_power_state", vm))) return;
                        try {
                            call("VM.clean_shutdown", vm);
                            clean.incrementAndGet();
                        } catch (RuntimeException e) {
                            call("VM.hard_shutdown", vm);
                            hard.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        System.out.println("   stopping " + vm + ": " + e.getMessage());
                    }
                });
            }
        } finally {
            pool.shutdown();
            if (!pool.awaitTermination(3, TimeUnit.MINUTES)) pool.shutdownNow();
        }
        System.out.printf("   stopped: %d by clean_shutdown, %d by hard_shutdown, in %.1f s%n", clean.get(), hard.get(), ms(t0) / 1000);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private String newVm(String name) {
        var f = TestGuest.vmFields(name, GUEST_MIB, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
        f.put("PV_kernel", guest.resolve("vmlinux").toString());
        f.put("PV_ramdisk", guest.resolve("initramfs.gz").toString());
        f.put("other_config", Map.of("vmbench", "true"));
        return (String) call("VM.create", f);
    }

    private Object call(String method, Object... params) {
        var args = new ArrayList<Object>();
        args.add(session);
        args.addAll(Arrays.asList(params));
        return rpc.call(method, args);
    }

    private Path runDir(String vm) {
        return state.resolve("run").resolve((String) call("VM.get_uuid", vm));
    }

    /** Ms from t0 until the serial log holds a complete line (text null) or a line containing text. */
    private static double awaitSerial(Path serial, String text, long t0) throws InterruptedException {
        long deadline = t0 + BOOT_TIMEOUT.toNanos();
        while (true) {
            String s = readQuietly(serial);
            if (text == null ? s.indexOf('\n') >= 0 : s.contains(text)) return ms(t0);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + (text == null ? "line" : "'" + text + "'") + " on " + serial + " within " + BOOT_TIMEOUT + ": " + s);
            }
            Thread.sleep(2);
        }
    }

    /** The host's load, to read the section's figures by: this machine may be shared. */
    private void load() throws IOException {
        System.out.printf("   host load average now %s; other QEMUs running %d%n", Files.readString(Path.of("/proc/loadavg")).strip(), otherQemus());
    }

    private static String readQuietly(Path p) {
        try { return Files.exists(p) ? Files.readString(p) : ""; } catch (IOException e) { return ""; }
    }

    private static long field(Path file, String name) throws IOException {
        for (String l : Files.readAllLines(file)) {
            if (l.startsWith(name)) return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException("no " + name + " in " + file);
    }

    private static Map<String, Long> meminfo() throws IOException {
        var m = new LinkedHashMap<String, Long>();
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] w = l.split(":\\s*|\\s+");
            if (w.length >= 2) m.put(w[0], Long.parseLong(w[1]));
        }
        return m;
    }

    /** utime + stime of a process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }

    private long otherQemus() {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> readQuietly(p.resolve("comm")).startsWith("qemu-system"))
                    .filter(p -> !ours(Long.parseLong(p.getFileName().toString()))).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A QEMU of this bench: a raw one names the state directory on its command line, Flotilla's runs in its jail root. */
    private boolean ours(long pid) {
        if (readQuietly(Path.of("/proc/" + pid + "/cmdline")).contains(state.toString())) return true;
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).startsWith(state);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }

    static double median(List<Double> v) {
        var s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static String spread(List<Double> v) {
        var s = new ArrayList<>(v);
        s.sort(null);
        return String.format("%.0f–%.0f", s.get(0), s.get(s.size() - 1));
    }

    private static double ratio(long a, long b) { return b == 0 ? Double.NaN : (double) a / b; }

    private int intOpt(String key, int dflt) { return Integer.parseInt(opts.getOrDefault(key, Integer.toString(dflt))); }

    /**
     * Kills every QEMU this bench started (hand-launched ones by their recorded pid; Flotilla's by the pid files
     * under this state directory, checked to be a QEMU of this bench, see {@link #ours}), closes the
     * daemon and removes the state directory. Idempotent; also run by a shutdown hook.
     */
    private void cleanup() {
        if (!cleaned.compareAndSet(false, true)) return;
        var pids = new ArrayList<Long>(rawPids);
        try {
            if (daemon != null) pids.addAll(daemon.node().vmRuntime().pids().values());
        } catch (RuntimeException ignored) { }
        pids.addAll(pidFiles(state.resolve("run")));
        pids.addAll(pidFiles(state.resolve("raw")));
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                if (readQuietly(Path.of("/proc/" + pid + "/comm")).startsWith("qemu-system") && ours(pid)) {
                    p.destroyForcibly();
                    try { p.onExit().get(5, TimeUnit.SECONDS); } catch (Exception ignored) { }
                }
            });
        }
        try {
            if (daemon != null) daemon.close();
        } catch (RuntimeException e) {
            System.err.println("closing the daemon: " + e);
        }
        deleteTree(state);
    }

    private static List<Long> pidFiles(Path root) {
        var out = new ArrayList<Long>();
        if (!Files.isDirectory(root)) return out;
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                try { out.add(Long.parseLong(Files.readString(d.resolve("qemu.pid")).strip())); } catch (IOException | NumberFormatException ignored) { }
            }
        } catch (IOException ignored) { }
        return out;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove " + root + ": " + e);
        }
    }
}

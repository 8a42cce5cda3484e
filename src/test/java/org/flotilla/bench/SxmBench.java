package org.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.pool.TestHostRecords;
import org.flotilla.pool.TestHost;
import org.flotilla.pool.TestNetwork;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.vm.Templates;

/**
 * Storage XenMotion between two hosts on one link, Flotilla against QEMU alone, in one run: two daemons in network
 * namespaces joined by a bridge, a pool of the two, and one guest whose disk ({@code disk-mib}, 1 GiB, filled with
 * data beforehand so that every byte of it is copied) is in the first host's own SR, and which writes all over that
 * disk the whole time ({@code flotilla.mode=writer}: {@code writer-kib} every {@code writer-ms}).
 * <ul>
 *   <li>Flotilla: {@code host.migrate_receive} from the other host, then XenAPI {@code VM.migrate_send} with the disk
 *       mapped to that host's own SR, timed by the caller from the call to its return (the disk made there, its
 *       QEMU started, the disk mirrored and the memory sent, QEMU to QEMU with their own TLS, the guest running there,
 *       the VDI left behind destroyed). Back and forth.</li>
 *   <li>QEMU alone: the same argv the daemon wrote for the guest, its disk opened by name, launched by hand in the
 *       first host's namespace (source) and the second's (destination, {@code -incoming defer}) on an empty image of
 *       the same size; the destination serves that image over NBD ({@code nbd-server-start} + {@code block-export-add})
 *       at its address, the source adds an NBD client node of it ({@code blockdev-add}) and mirrors its disk to it
 *       ({@code blockdev-mirror sync=full}, the daemon's {@code copy-mode} unless {@code copy-mode} says otherwise:
 *       background, changed to write-blocking with {@code block-job-change} once ready),
 *       migrates once the mirror is ready (the daemon's capabilities and parameters), cancels the job once the
 *       migration has completed, and the destination stops its NBD server and runs on with {@code cont}. Timed from
 *       making the empty image to the guest running there, as the API call is. The daemons' guest stands paused
 *       meanwhile, so that each side's rounds have the machine alike.</li>
 * </ul>
 * For each: the total time, how long the disk took to be ready (mirrored, following the guest's writes), QEMU's
 * total-time and downtime (query-migrate's), the time outside those two jobs of QEMU's (the total less both: launching
 * and preparing the destination, switching over, cleaning up, which is where a toolstack costs), and the pause the guest saw (its last write on the source to its first on
 * the destination, on their consoles). Medians of {@code runs} after {@code warmup} untimed rounds of each. Run with
 * {@code bench/sxm.sh [key=value ...]}. Not part of the test suite. The namespaces, and whatever runs in them, go at
 * the end whatever happened.
 */
public final class SxmBench {
    /** What OutgoingMigrations and DiskMirrors ask of QEMU: the baseline is set the same. */
    private static final long MAX_BANDWIDTH = 8L << 30;
    private static final long DOWNTIME_LIMIT_MS = 100;
    /** The mirror's copy-mode, then (after a comma) the one it is changed to once ready, as DiskMirrors does. */
    private static final String DAEMONS_COPY_MODE = "background,write-blocking";
    private static final int RAW_MIGRATION_PORT = 49152;
    private static final int RAW_NBD_PORT = 49153;
    private static final String RAW_JOB = "raw-mirror";
    private static final String RAW_TARGET = "raw-target";
    private static final Pattern REPORT = Pattern.compile(
            "VM (\\S+) moved to host .*qemuTotalMillis=(-?\\d+), qemuDowntimeMillis=(-?\\d+), ramBytes=(-?\\d+), destinationDomid=\\d+, disksMillis=(\\d+)");
    private static final Pattern LEFT = Pattern.compile("left: its QEMU here ended in (\\d+) ms, what it left behind went in (\\d+) ms");
    private static final Pattern PHASES = Pattern.compile("prepareMillis=(\\d+), streamMillis=(\\d+), switchoverMillis=(\\d+)");
    /** Enough of the guest's writes to know it writes, before and after each move. */
    private static final int WRITES = 20;
    private static final long FILL_CHUNK = 64L << 20;

    private final Map<String, String> opts;
    private final long diskBytes;
    private final String copyMode;
    /** both, or only one side: to look into one that fails, without the other. */
    private final String sides;
    /** Whether QEMU alone speaks TLS too (its own tls-creds-x509, as the daemons' QEMUs do), to tell TLS's cost apart. */
    private final boolean rawTls;
    private BenchPool pool;

    private SxmBench(Map<String, String> opts) {
        this.opts = opts;
        this.diskBytes = Long.parseLong(opts.getOrDefault("disk-mib", "1024")) << 20;
        this.copyMode = opts.getOrDefault("copy-mode", DAEMONS_COPY_MODE);
        this.sides = opts.getOrDefault("sides", "both");
        this.rawTls = RawTls.wanted(opts);
        if (!List.of("both", "flotilla", "raw").contains(sides)) throw new IllegalArgumentException("sides: both, flotilla or raw");
    }

    /** One move: from its start to the guest running at the destination, the disk's part, QEMU's own figures, the guest's pause. */
    private record Run(double totalMs, double disksMs, long qemuTotalMs, long downtimeMs, double pauseMs) {
        /** What is not QEMU's mirror or migration: preparing the destination, switching over, cleaning up. */
        double outsideMs() { return totalMs - disksMs - qemuTotalMs; }
    }

    public static void main(String[] args) throws Exception {
        new SxmBench(BenchArgs.parse(args)).run();
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "1"));
        long memoryMib = Long.parseLong(opts.getOrDefault("memory-mib", "256"));
        String writer = "flotilla.mode=writer flotilla.writer_kib=" + opts.getOrDefault("writer-kib", "64")
                + " flotilla.writer_ms=" + opts.getOrDefault("writer-ms", "10");
        try (BenchPool p = BenchPool.form(2)) {
            pool = p;
            try {
                measure(p, runs, warmup, memoryMib, writer);
            } catch (Exception | Error e) {
                System.err.print(p.logTails(40));
                throw e;
            }
        }
    }

    private void measure(BenchPool p, int runs, int warmup, long memoryMib, String writer) throws Exception {
        TestHost h0 = p.host(0);
        TestHost h1 = p.host(1);
        String vm = guest(h0, writer, memoryMib);
        String uuid = (String) h0.call("VM.get_uuid", vm);
        try (GuestWrites booted = GuestWrites.follow(serial(h0, uuid))) {
            h0.call("VM.start_on", vm, h0.hostRef(), false, false);
            booted.await(WRITES);
        }
        List<String> argv = Files.readAllLines(h0.stateDir().resolve("run").resolve(uuid).resolve("argv"));

        var flotilla = new ArrayList<Run>();
        var raw = new ArrayList<Run>();
        for (int i = 0; i < warmup + runs; i++) {
            TestHost from = i % 2 == 0 ? h0 : h1;
            TestHost to = i % 2 == 0 ? h1 : h0;
            Run f = sides.equals("raw") ? null : migrateSend(from, to, vm, uuid);
            int round = i;
            Run r = sides.equals("flotilla") ? null : whilePaused(to, vm, uuid, () -> rawMirrorAndMigrate(h0, vm, argv, round));
            System.out.printf("  round %d%s: Flotilla %s; QEMU alone %s%n", i + 1, i < warmup ? " (warm-up)" : "", brief(f), brief(r));
            if (i >= warmup && f != null) flotilla.add(f);
            if (i >= warmup && r != null) raw.add(r);
        }
        if (sides.equals("both")) report(memoryMib, writer, runs, flotilla, raw);
    }

    /**
     * Runs QEMU alone's round while the daemons' guest (on {@code host}) stands paused: its writes would otherwise
     * load the machine during that round alone, as nothing of QEMU alone's runs during the daemons' rounds.
     */
    private static Run whilePaused(TestHost host, String vm, String uuid, java.util.concurrent.Callable<Run> round) throws Exception {
        host.call("VM.pause", vm);
        try {
            return round.call();
        } finally {
            try (GuestWrites again = GuestWrites.follow(serial(host, uuid))) {
                host.call("VM.unpause", vm);
                again.await(WRITES);
            }
        }
    }

    private Run migrateSend(TestHost from, TestHost to, String vm, String uuid) throws Exception {
        String vdi = (String) from.call("VBD.get_VDI", ((List<?>) from.call("VM.get_VBDs", vm)).getFirst());
        int logged = reports(from).size();
        @SuppressWarnings("unchecked")
        var dest = (Map<String, String>) from.call("host.migrate_receive", to.hostRef(), TestHostRecords.managementNetwork(from, to), Map.of());
        // looked up before the clock starts: through a member each lookup is a call that waits for its copy to catch up
        Map<String, String> vdiMap = Map.of(vdi, TestHostRecords.localSr(from, to));
        try (GuestWrites before = GuestWrites.follow(serial(from, uuid)); GuestWrites after = GuestWrites.follow(serial(to, uuid))) {
            before.await(WRITES);
            long t0 = System.nanoTime();
            from.call("VM.migrate_send", vm, dest, true, vdiMap, Map.of(), Map.of());
            double ms = Stats.msSince(t0);
            awaitResidentOn(from, vm, to);
            try {
                after.await(WRITES);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + "\n(power state " + to.call("VM.get_power_state", vm) + "; last writes on the source: "
                        + before.last() + ")", e);
            }
            MatchResult m = awaitReport(from, logged);
            Matcher phases = PHASES.matcher(m.group());
            if (phases.find()) {
                long prepare = Long.parseLong(phases.group(1));
                long stream = Long.parseLong(phases.group(2));
                long switchover = Long.parseLong(phases.group(3));
                long disks = Long.parseLong(m.group(5));
                Matcher left = LEFT.matcher(from.log());
                String cleanup = left.results().reduce((x, y) -> y).map(r -> " (of which the source's QEMU ending " + r.group(1)
                        + " ms, the records and left VDI " + r.group(2) + " ms)").orElse("");
                System.out.printf("    Flotilla's phases: prepare %d ms, disks %d, memory %d, switch-over %d, the rest of the call %.0f%s%n",
                        prepare, disks, stream, switchover, ms - prepare - disks - stream - switchover, cleanup);
            }
            steps(from, "left this host in steps");
            steps(to, "prepared to come here in steps");
            steps(to, "finished coming here in steps");
            return new Run(ms, Long.parseLong(m.group(5)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), after.pauseAfter(before));
        }
    }

    /** The daemon's last log line of the steps of a migration that {@code what} names, as it timed them. */
    private static void steps(TestHost h, String what) {
        h.log().lines().filter(l -> l.contains(what)).reduce((x, y) -> y)
                .ifPresent(l -> System.out.println("    " + h + ": " + what.substring(0, what.indexOf(" in steps")) + ": " + l.substring(l.indexOf(what) + what.length() + 2)));
    }

    /**
     * The VM's record, read from the host the call went to, names the destination: at once, or else the bench says how
     * long it lagged behind the call's return (a finding of its own), and fails after a while.
     */
    private static void awaitResidentOn(TestHost ask, String vm, TestHost to) throws InterruptedException {
        if (to.hostRef().equals(ask.call("VM.get_resident_on", vm))) return;
        long t0 = System.nanoTime();
        while (!to.hostRef().equals(ask.call("VM.get_resident_on", vm))) {
            if (Stats.msSince(t0) > 30_000) {
                throw new IllegalStateException("the VM did not move to " + to + " (" + to.hostRef() + ") by " + ask + "'s records: resident on "
                        + ask.call("VM.get_resident_on", vm) + " by its, " + to.call("VM.get_resident_on", vm) + " by " + to + "'s, "
                        + ask.call("VM.get_power_state", vm));
            }
            Thread.sleep(10);
        }
        System.out.printf("  note: VM.get_resident_on on %s named %s only %.0f ms after VM.migrate_send returned%n", ask, to, Stats.msSince(t0));
    }

    private static List<MatchResult> reports(TestHost h) { return REPORT.matcher(h.log()).results().toList(); }

    private static MatchResult awaitReport(TestHost h, int logged) throws InterruptedException {
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos();
        List<MatchResult> all;
        while ((all = reports(h)).size() <= logged) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no migration report in " + h + "'s log");
            Thread.sleep(20);
        }
        return all.getLast();
    }

    /** QEMU to QEMU over the same link, from host 0's namespace to host 1's, the disk mirrored over NBD. */
    private Run rawMirrorAndMigrate(TestHost h0, String vm, List<String> argv, int round) throws Exception {
        TestNetwork net = pool.network();
        Path dir = net.dir().resolve("sxm-raw" + round);
        int set = diskFdset(argv);
        String kernel = (String) h0.call("VM.get_PV_kernel", vm);
        String initrd = (String) h0.call("VM.get_PV_ramdisk", vm);
        String node = QemuCommand.Disk.topNode("0");
        String address = net.address(1);
        try {
            Path sourceDisk = dir.resolve("source.qcow2");
            Files.createDirectories(dir);
            image(sourceDisk);
            fill(sourceDisk);
            RawQemu src = RawQemu.launch(net, 0, dir.resolve("source"), argv, kernel, initrd, Map.of(set, sourceDisk), List.of());
            try (GuestWrites before = GuestWrites.follow(src.serial());
                 GuestWrites after = GuestWrites.follow(dir.resolve("destination").resolve("serial.log"))) {
                src.qmp().execute("cont");
                before.await(WRITES);
                long t0 = System.nanoTime();
                Path targetDisk = dir.resolve("target.qcow2");
                image(targetDisk);
                RawQemu dst = RawQemu.launch(net, 1, dir.resolve("destination"), argv, kernel, initrd, Map.of(set, targetDisk),
                        List.of("-incoming", "defer"));
                try {
                    if (rawTls) RawTls.give(dir, src, dst);
                    Map<String, Object> serverTls = rawTls ? RawTls.SERVER : Map.of();
                    Map<String, Object> clientTls = rawTls ? RawTls.CLIENT : Map.of();
                    var at = Map.of("host", address, "port", Integer.toString(RAW_NBD_PORT));
                    // nbd-server-start takes the legacy form of an address (its fields under data), blockdev-add the flat one
                    var serve = new java.util.HashMap<String, Object>(Map.of("addr", Map.of("type", "inet", "data", at)));
                    serve.putAll(serverTls);
                    dst.qmp().execute("nbd-server-start", serve);
                    dst.qmp().execute("block-export-add", Map.of("type", "nbd", "id", "raw-export", "node-name", node, "name", node, "writable", true));
                    String uri = "tcp:" + address + ":" + RAW_MIGRATION_PORT;
                    dst.setMigrationAsTheDaemonDoes(MAX_BANDWIDTH, DOWNTIME_LIMIT_MS);
                    if (rawTls) dst.qmp().execute("migrate-set-parameters", serverTls);
                    dst.qmp().execute("migrate-incoming", Map.of("uri", uri));

                    var client = new java.util.HashMap<String, Object>(Map.of("driver", "nbd", "node-name", RAW_TARGET, "export", node, "server",
                            Map.of("type", "inet", "host", address, "port", Integer.toString(RAW_NBD_PORT))));
                    client.putAll(clientTls);
                    src.qmp().execute("blockdev-add", client);
                    long t1 = System.nanoTime();
                    String[] modes = copyMode.split(",");
                    src.qmp().execute("blockdev-mirror", Map.of("job-id", RAW_JOB, "device", node, "target", RAW_TARGET, "sync", "full",
                            "copy-mode", modes[0]));
                    awaitJob(src, j -> j != null && j.path("ready").asBoolean(false) ? true : null);
                    if (modes.length > 1) src.qmp().execute("block-job-change", Map.of("id", RAW_JOB, "type", "mirror", "copy-mode", modes[1]));
                    double disksMs = Stats.msSince(t1);
                    src.setMigrationAsTheDaemonDoes(MAX_BANDWIDTH, DOWNTIME_LIMIT_MS);
                    if (rawTls) src.qmp().execute("migrate-set-parameters", clientTls);
                    src.qmp().execute("migrate", Map.of("uri", uri));
                    JsonNode done = src.awaitMigration("completed");
                    src.qmp().execute("block-job-cancel", Map.of("device", RAW_JOB));
                    awaitJob(src, j -> j == null ? true : null);
                    dst.awaitMigration("completed");
                    dst.qmp().execute("nbd-server-stop");
                    dst.qmp().execute("cont");
                    dst.requireRunning();
                    double ms = Stats.msSince(t0);
                    after.await(WRITES);
                    return new Run(ms, disksMs, done.path("total-time").asLong(-1), done.path("downtime").asLong(-1), after.pauseAfter(before));
                } finally {
                    dst.stop();
                }
            } finally {
                src.stop();
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Polls the raw mirror job until {@code until} gives non-null for it (null when the job is gone). */
    private static void awaitJob(RawQemu q, Function<JsonNode, Boolean> until) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RawQemu.WAIT.toNanos() * 5;
        while (true) {
            JsonNode job = null;
            for (JsonNode j : q.qmp().execute("query-block-jobs")) {
                if (j.path("device").asText().equals(RAW_JOB)) job = j;
            }
            if (job != null && (job.has("error") || job.path("status").asText().equals("concluded"))) {
                throw new IllegalStateException("raw mirror failed: " + job);
            }
            if (until.apply(job) != null) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("raw mirror: still " + job);
            Thread.sleep(20);
        }
    }

    /** The one fdset the daemon's argv hands a disk in by (a single-layer disk: one image). */
    private static int diskFdset(List<String> argv) {
        var sets = new TreeSet<Integer>();
        for (String s : argv) {
            var m = Pattern.compile("/dev/fdset/(\\d+)").matcher(s);
            while (m.find()) sets.add(Integer.parseInt(m.group(1)));
        }
        if (sets.size() != 1) throw new IllegalStateException("expected the guest's disk as the only fdset, found " + sets);
        return sets.first();
    }

    private String guest(TestHost h, String args, long memoryMib) throws Exception {
        String template = (String) ((List<?>) h.call("VM.get_by_name_label", Templates.TEST_GUEST_NAME)).getFirst();
        String vm = (String) h.call("VM.clone", template, "sxm-bench");
        h.call("VM.set_is_a_template", vm, false);
        h.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 " + args);
        String size = Long.toString(memoryMib << 20);
        h.call("VM.set_memory_limits", vm, Long.toString(Math.min(memoryMib, 128) << 20), size, size, size);
        String sr = TestHostRecords.localSr(h, h);
        var vdi = new LinkedHashMap<String, Object>(Map.of("name_label", "sxm-bench disk", "SR", sr, "virtual_size", diskBytes,
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
        String disk = (String) h.call("VDI.create", vdi);
        fill(imageOf(h, sr, disk));
        h.call("VBD.create", new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", disk, "userdevice", "0", "bootable", true,
                "mode", "RW", "type", "Disk")));
        return vm;
    }

    /** The qcow2 file of {@code vdi} in host {@code h}'s local SR {@code sr}: {@code <location>/<vdi uuid>.qcow2}. */
    private static Path imageOf(TestHost h, String sr, String vdi) {
        for (Object pbd : (List<?>) h.call("SR.get_PBDs", sr)) {
            if (!h.hostRef().equals(h.call("PBD.get_host", pbd))) continue;
            String location = (String) ((Map<?, ?>) h.call("PBD.get_device_config", pbd)).get("location");
            return Path.of(location).resolve(h.call("VDI.get_location", vdi) + ".qcow2");
        }
        throw new IllegalStateException("no PBD of " + h + " for SR " + sr);
    }

    private static Path serial(TestHost h, String uuid) { return h.stateDir().resolve("run").resolve(uuid).resolve("serial.log"); }

    private void image(Path file) throws IOException, InterruptedException {
        exec(List.of("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), Long.toString(diskBytes)));
    }

    /** Every byte of the image written (not zeroes, which a mirror may skip), so that the whole disk is copied. */
    private void fill(Path image) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (long at = 0; at < diskBytes; at += FILL_CHUNK) {
            cmd.addAll(List.of("-c", "write -q -P 0x5a " + at + " " + Math.min(FILL_CHUNK, diskBytes - at)));
        }
        cmd.add(image.toString());
        exec(cmd);
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd.subList(0, 2)) + " failed: " + out);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private void report(long memoryMib, String writer, int runs, List<Run> flotilla, List<Run> raw) throws IOException {
        System.out.printf("%nStorage XenMotion of a %d MiB guest with a %d MiB disk (filled) under a writing guest (%s), copy-mode %s,"
                + " between two hosts (network namespaces on one bridge), median of %d; %s%n", memoryMib, diskBytes >> 20, writer,
                copyMode, runs, Stats.machine());
        String row = "  %-44s %11s %15s %14s %16s %12s %15s%n";
        System.out.printf(row, "", "total (ms)", "disk ready (ms)", "QEMU total ms", "outside QEMU ms", "downtime ms", "guest pause ms");
        Run f = median(flotilla);
        Run r = median(raw);
        double fOutside = Stats.median(flotilla.stream().map(Run::outsideMs).toList());
        double rOutside = Stats.median(raw.stream().map(Run::outsideMs).toList());
        System.out.printf(row, "Flotilla VM.migrate_send", Stats.whole(f.totalMs), Stats.whole(f.disksMs), f.qemuTotalMs, Stats.whole(fOutside),
                f.downtimeMs, Stats.whole(f.pauseMs));
        System.out.printf(row, rawTls ? "QEMU alone, TLS (NBD + mirror + migrate)" : "QEMU alone (NBD + blockdev-mirror + migrate)", Stats.whole(r.totalMs),
                Stats.whole(r.disksMs), r.qemuTotalMs, Stats.whole(rOutside), r.downtimeMs, Stats.whole(r.pauseMs));
        System.out.printf(row, "ratio Flotilla / QEMU", Stats.ratio(f.totalMs, r.totalMs), Stats.ratio(f.disksMs, r.disksMs),
                Stats.ratio(f.qemuTotalMs, r.qemuTotalMs), Stats.ratio(fOutside, rOutside), Stats.ratio(f.downtimeMs, r.downtimeMs),
                Stats.ratio(f.pauseMs, r.pauseMs));
        System.out.printf("  every run (total / outside QEMU ms): Flotilla %s; QEMU %s%n", each(flotilla), each(raw));
        System.out.printf("  (target: total within 1.05x of QEMU alone; libvirt 9.0 was measured at 1.18x for the same job)%n");
    }

    private static String each(List<Run> rs) {
        return String.join(" ", rs.stream().map(r -> Stats.whole(r.totalMs) + "/" + Stats.whole(r.outsideMs())).toList());
    }

    private static String brief(Run r) {
        if (r == null) return "not run";
        return String.format("%s ms (disk %s, downtime %d, pause %s)", Stats.whole(r.totalMs), Stats.whole(r.disksMs), r.downtimeMs, Stats.whole(r.pauseMs));
    }

    private static Run median(List<Run> rs) {
        return new Run(Stats.median(rs.stream().map(Run::totalMs).toList()), Stats.median(rs.stream().map(Run::disksMs).toList()),
                (long) Stats.median(rs.stream().map(r -> (double) r.qemuTotalMs).toList()),
                (long) Stats.median(rs.stream().map(r -> (double) r.downtimeMs).toList()), Stats.median(rs.stream().map(Run::pauseMs).toList()));
    }
}

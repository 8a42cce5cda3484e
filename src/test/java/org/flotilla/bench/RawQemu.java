package org.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.pool.TestNetwork;
import org.flotilla.qemu.Qmp;

/**
 * A QEMU launched by hand in one host's network namespace with the argv a daemon wrote for a guest (its
 * {@code argv} file), its files in {@code dir}: the baseline the migration benches compare the daemons with.
 */
record RawQemu(Path dir, Process process, Qmp qmp) {
    static final Duration WAIT = Duration.ofMinutes(2);

    /**
     * The daemon's argv names files as its jail sees them (/vm is the run directory, the kernel and initrd links in
     * it) and hands disks over as descriptors ({@code -add-fd}, {@code /dev/fdset/N}): here each disk's fdset is
     * opened by name, from {@code disks} (fdset number to image file); any other descriptor is refused.
     */
    static RawQemu launch(TestNetwork network, int host, Path dir, List<String> argv, String kernel, String initrd,
                          Map<Integer, Path> disks, List<String> extra) throws IOException {
        Files.createDirectories(dir);
        var cmd = new ArrayList<String>();
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            if (s.equals("-add-fd")) {
                int set = fdset(argv.get(++i));
                if (!disks.containsKey(set)) throw new IllegalStateException("the raw baseline has no file for fdset " + set + " (firmware or a device?)");
                continue;
            }
            for (var d : disks.entrySet()) s = s.replace("\"/dev/fdset/" + d.getKey() + "\"", "\"" + d.getValue() + "\"");
            cmd.add(s.equals("/vm/kernel") ? kernel : s.equals("/vm/initrd") ? initrd : s.replace("/vm/", dir + "/"));
        }
        cmd.addAll(extra);
        Process p = new ProcessBuilder(network.onHost(host, cmd)).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        try {
            return new RawQemu(dir, p, Qmp.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(30), () -> !p.isAlive()));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new IllegalStateException("raw QEMU did not start: " + Files.readString(dir.resolve("qemu.log")), e);
        }
    }

    private static int fdset(String addFd) {
        for (String part : addFd.split(",")) {
            if (part.startsWith("set=")) return Integer.parseInt(part.substring(4));
        }
        throw new IllegalStateException("-add-fd without a set: " + addFd);
    }

    Path serial() { return dir.resolve("serial.log"); }

    /** Polls query-migrate until {@code status}; failed or cancelled throws. */
    JsonNode awaitMigration(String status) throws IOException, InterruptedException {
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

    /** The same capabilities and parameters as the daemon's OutgoingMigrations sets, so that only the path differs. */
    void setMigrationAsTheDaemonDoes(long maxBandwidth, long downtimeLimitMs) throws IOException {
        qmp.execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                Map.of("capability", "events", "state", true), Map.of("capability", "auto-converge", "state", true))));
        qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", maxBandwidth, "downtime-limit", downtimeLimitMs));
    }

    void requireRunning() throws IOException {
        if (!qmp.execute("query-status").path("status").asText().equals("running")) throw new IllegalStateException("raw destination not running");
    }

    void stop() throws InterruptedException {
        qmp.close();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

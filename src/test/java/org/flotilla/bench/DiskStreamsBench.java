package org.flotilla.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.runtime.TrustingTls;
import org.flotilla.server.ApiServerConfig;

/**
 * Disk export and import over HTTPS ({@code /export_raw_vdi}, {@code /import_raw_vdi}, raw, VHD and qcow2; the qcow2
 * imported is qemu-img's of the same disk) against
 * {@code qemu-img convert} of the same disk between the same formats on the same machine, alternately in one run: a
 * qcow2 VDI of {@code disk-mib} (256) with every other 2 MiB block filled with random bytes. Each HTTP figure includes
 * the client ({@code client=curl}, the default: curl over TLS on loopback, as Xen Orchestra's node speaks OpenSSL's TLS;
 * or {@code client=java}, Java's HttpClient in this JVM), the body dropped or sent from a file; each qemu-img one writes
 * or reads a file on the same disk. Medians of {@code runs} (3) of wall time and of the CPU time this JVM (the daemon's
 * threads) and its children (curl, qemu-storage-daemon, qemu-img) used, and their ratios: on a shared machine the CPU
 * time says what a stream costs when its wall time waits behind other users' work.
 */
public final class DiskStreamsBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchArgs.parse(args);
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
        long size = Long.parseLong(a.getOrDefault("disk-mib", "256")) << 20;
        boolean curl = a.getOrDefault("client", "curl").equals("curl");
        Path dir = Files.createTempDirectory("flotilla-disk-bench");
        org.flotilla.TestDomainIds.seed(dir);
        try (Daemon daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1")) {
            var rpc = daemon.node().rpc();
            String session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            String pool = (String) ((List<?>) rpc.call("pool.get_all", new ArrayList<>(List.of(session)))).getFirst();
            String sr = (String) rpc.call("pool.get_default_SR", new ArrayList<>(List.of(session, pool)));
            String vdi = newVdi(rpc, session, sr, size);
            HttpClient http = TrustingTls.httpClient();
            String base = "https://127.0.0.1:" + daemon.httpsPort();
            Path raw = dir.resolve("disk.raw");
            Path vhd = dir.resolve("disk.vhd");
            Path qcow2 = dir.resolve("disk.qcow2");
            writeHalf(raw, size);
            qemuImg("convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
            put(http, base + "/import_raw_vdi?session_id=" + session + "&vdi=" + vdi, raw);
            Path image = daemon.node().storage().attachment(VDI.CLASS.ref(vdi)).image();
            http.send(HttpRequest.newBuilder(URI.create(base + "/export_raw_vdi?session_id=" + session + "&vdi=" + vdi + "&format=vhd")).build(),
                    HttpResponse.BodyHandlers.ofFile(vhd));
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            Map<String, List<Double>> cpu = new LinkedHashMap<>();
            Map<String, List<Double>> own = new LinkedHashMap<>();
            Timer timer = (name, step) -> {
                double c0 = Stats.cpuMs();
                double o0 = Stats.ownCpuMs();
                long t0 = System.nanoTime();
                step.run();
                ms.computeIfAbsent(name, k -> new ArrayList<>()).add(Stats.msSince(t0));
                cpu.computeIfAbsent(name, k -> new ArrayList<>()).add(Stats.cpuMs() - c0);
                own.computeIfAbsent(name, k -> new ArrayList<>()).add(Stats.ownCpuMs() - o0);
            };
            for (int i = 0; i < runs; i++) {
                for (String format : FORMATS) {
                    String qemuFormat = qemuFormat(format);
                    Path out = dir.resolve("out." + format);
                    timer.time("export " + format, () -> get(http, curl, base + "/export_raw_vdi?session_id=" + session + "&vdi=" + vdi + "&format=" + format));
                    timer.time("qemu-img qcow2->" + qemuFormat, () -> qemuImg("convert", "-f", "qcow2", "-O", qemuFormat, image.toString(), out.toString()));
                    Files.deleteIfExists(out);

                    Path in = switch (format) {
                        case "vhd" -> vhd;
                        case "qcow2" -> qcow2;
                        default -> raw;
                    };
                    // into a disk just made, as a restore does, and as qemu-img's baseline makes a new file
                    String into = newVdi(rpc, session, sr, size);
                    String url = base + "/import_raw_vdi?session_id=" + session + "&vdi=" + into + "&format=" + format;
                    timer.time("import " + format, () -> {
                        if (curl) curl("-T", in.toString(), url);
                        else put(http, url, in);
                    });
                    rpc.call("VDI.destroy", new ArrayList<>(List.of(session, into)));
                    Path q = dir.resolve("in.qcow2");
                    timer.time("qemu-img " + qemuFormat + "->qcow2", () -> qemuImg("convert", "-f", qemuFormat, "-O", "qcow2", in.toString(), q.toString()));
                    Files.deleteIfExists(q);
                }
            }
            System.out.println(Stats.machine());
            System.out.printf("disk %d MiB, half of its 2 MiB blocks holding data; client %s; %d runs; median ms (min-max), and CPU ms"
                    + " (in all; the daemon's JVM alone)%n",
                    size >> 20, curl ? "curl" : "Java's HttpClient", runs);
            for (var e : ms.entrySet()) {
                System.out.printf("%-22s %8s (%s-%s)   cpu %6s (jvm %s)%n", e.getKey(), Stats.whole(Stats.median(e.getValue())),
                        Stats.whole(Stats.percentile(e.getValue(), 0)), Stats.whole(Stats.percentile(e.getValue(), 100)),
                        Stats.whole(Stats.median(cpu.get(e.getKey()))), Stats.whole(Stats.median(own.get(e.getKey()))));
            }
            for (String format : FORMATS) {
                String q = qemuFormat(format);
                for (String way : List.of("export", "import")) {
                    String baseline = way.equals("export") ? "qemu-img qcow2->" + q : "qemu-img " + q + "->qcow2";
                    System.out.printf("ratio %s %s / qemu-img: time %s, cpu %s%n", way, format,
                            Stats.ratio(Stats.median(ms.get(way + " " + format)), Stats.median(ms.get(baseline))),
                            Stats.ratio(Stats.median(cpu.get(way + " " + format)), Stats.median(cpu.get(baseline))));
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The stream formats, each against qemu-img between qcow2 and the same format (VHD is qemu's vpc). */
    private static final List<String> FORMATS = List.of("raw", "vhd", "qcow2");

    private static String qemuFormat(String format) { return format.equals("vhd") ? "vpc" : format; }

    private interface Step {
        void run() throws Exception;
    }

    private interface Timer {
        void time(String name, Step step) throws Exception;
    }

    private static String newVdi(org.flotilla.api.Rpc rpc, String session, String sr, long size) {
        return (String) rpc.call("VDI.create", new ArrayList<>(List.of(session, Map.of("name_label", "bench", "SR", sr,
                "virtual_size", Long.toString(size), "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()))));
    }

    /** Every other 2 MiB block random, the rest left a hole. */
    static void writeHalf(Path raw, long size) throws Exception {
        var rnd = new Random(1);
        byte[] block = new byte[2 << 20];
        try (var f = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            for (long at = 0; at < size; at += 2L * block.length) {
                rnd.nextBytes(block);
                f.write(java.nio.ByteBuffer.wrap(block), at);
            }
            f.truncate(size);
            if (f.size() < size) f.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
        }
    }

    private static void put(HttpClient http, String url, Path body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofFile(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
    }

    private static void get(HttpClient http, boolean curl, String url) throws Exception {
        if (curl) {
            curl("-o", "/dev/null", url);
            return;
        }
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) throw new IllegalStateException(url + ": " + r.statusCode());
    }

    /** curl (OpenSSL's TLS, as Xen Orchestra's node has), failing on an HTTP error. */
    private static void curl(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("curl", "-sSfk", "--http1.1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(cmd + ": " + out);
    }

    private static void qemuImg(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(cmd + ": " + out);
    }
}

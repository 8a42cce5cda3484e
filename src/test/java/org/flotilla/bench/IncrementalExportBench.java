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
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.runtime.TrustingTls;
import org.flotilla.server.ApiServerConfig;

/**
 * Xen Orchestra's incremental export against its full one, over HTTPS on loopback: a qcow2 VDI of {@code disk-mib}
 * (256) of random bytes, a snapshot, {@code changed-pct} (1) percent of its 64 KiB blocks rewritten at random places
 * by qemu-io, a second snapshot. Per run: {@code /export_raw_vdi} of the second snapshot as a whole VHD and qcow2, and
 * relative to the first ({@code base=}) as VHD and qcow2, each body counted and dropped by the client; and {@code
 * qemu-img convert} of the same chain from its files to a raw file, the machine's baseline. Bytes are exact; times are
 * medians of {@code runs} (5), with their range.
 */
public final class IncrementalExportBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchArgs.parse(args);
        int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        long size = Long.parseLong(a.getOrDefault("disk-mib", "256")) << 20;
        double pct = Double.parseDouble(a.getOrDefault("changed-pct", "1"));
        Path dir = Files.createTempDirectory("flotilla-incremental-bench");
        org.flotilla.TestDomainIds.seed(dir);
        try (Daemon daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1")) {
            String session = (String) daemon.node().rpc().call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            var disk = ChangedSnapshots.make(daemon, ChangedSnapshots.Call.as(daemon, session), size, pct, false, dir);
            String s1 = disk.first();
            String s2 = disk.second();
            var changed = disk.changed();
            int blocks = disk.blocks();

            HttpClient http = TrustingTls.httpClient();
            String url = "https://127.0.0.1:" + daemon.httpsPort() + "/export_raw_vdi?session_id=" + session + "&vdi=" + s2;
            Map<String, String> queries = new LinkedHashMap<>();
            queries.put("full VHD", "&format=vhd");
            queries.put("delta VHD", "&format=vhd&base=" + s1);
            queries.put("full qcow2", "&format=qcow2");
            queries.put("delta qcow2", "&format=qcow2&base=" + s1);
            String local = daemon.node().storage().blockdev(VDI.CLASS.ref(s2), "s2");
            Path out = dir.resolve("out.raw");
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            Map<String, Long> bytes = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                for (var q : queries.entrySet()) {
                    long t0 = System.nanoTime();
                    var r = http.send(HttpRequest.newBuilder(URI.create(url + q.getValue())).build(), HttpResponse.BodyHandlers.ofInputStream());
                    long n;
                    try (var body = r.body()) {
                        n = body.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                    if (r.statusCode() != 200) throw new IllegalStateException(q.getKey() + ": HTTP " + r.statusCode());
                    ms.computeIfAbsent(q.getKey(), k -> new ArrayList<>()).add(Stats.msSince(t0));
                    bytes.put(q.getKey(), n);
                }
                long t0 = System.nanoTime();
                ChangedSnapshots.run(List.of("qemu-img", "convert", "-O", "raw", "json:" + local, out.toString()));
                ms.computeIfAbsent("qemu-img to raw", k -> new ArrayList<>()).add(Stats.msSince(t0));
                bytes.put("qemu-img to raw", size);
            }
            System.out.println(Stats.machine());
            System.out.printf("disk %d MiB, %d of %d 64 KiB blocks changed (%.2f%%), %d runs; median ms (min-max)%n",
                    size >> 20, changed.size(), blocks, 100.0 * changed.size() / blocks, runs);
            for (var e : ms.entrySet()) {
                System.out.printf("%-16s %8s (%s-%s)  %11d bytes  %7.3f%% of the disk%n", e.getKey(), Stats.whole(Stats.median(e.getValue())),
                        Stats.whole(Stats.percentile(e.getValue(), 0)), Stats.whole(Stats.percentile(e.getValue(), 100)),
                        bytes.get(e.getKey()), 100.0 * bytes.get(e.getKey()) / size);
            }
            System.out.printf("ratio delta / full, VHD: time %s, bytes %.4f; qcow2: time %s, bytes %.4f%n",
                    Stats.ratio(Stats.median(ms.get("delta VHD")), Stats.median(ms.get("full VHD"))),
                    (double) bytes.get("delta VHD") / bytes.get("full VHD"),
                    Stats.ratio(Stats.median(ms.get("delta qcow2")), Stats.median(ms.get("full qcow2"))),
                    (double) bytes.get("delta qcow2") / bytes.get("full qcow2"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package org.flotilla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.flotilla.CbtBlocks;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.server.ApiServerConfig;

/**
 * An incremental backup with CBT against a full one, over the daemon's NBD server with TLS, read by QEMU's NBD client:
 * a qcow2 VDI of {@code disk-mib} (256) of random bytes, a snapshot, then {@code changed-pct} (1) percent of its 64 KiB
 * blocks rewritten at random places, a second snapshot. Per run: the whole second snapshot ({@code qemu-img convert}
 * from NBD to a raw file), only the 64 KiB blocks VDI.list_changed_blocks names ({@code qemu-io} reads), the 2 MiB units
 * that hold them (as Xen Orchestra reads), and {@code qemu-img convert} of the same chain from its files (no NBD) as the
 * machine's baseline. Bytes are exact; times are medians of {@code runs} (3), with their range.
 */
public final class CbtBackupBench {
    private static final int BLOCK = CbtBlocks.BLOCK;
    private static final int UNIT = 2 << 20;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchArgs.parse(args);
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
        long size = Long.parseLong(a.getOrDefault("disk-mib", "256")) << 20;
        double pct = Double.parseDouble(a.getOrDefault("changed-pct", "1"));
        Path dir = Files.createTempDirectory("flotilla-cbt-bench");
        org.flotilla.TestDomainIds.seed(dir);
        try (Daemon daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1")) {
            var rpc = daemon.node().rpc();
            String session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            ChangedSnapshots.Call call = ChangedSnapshots.Call.as(daemon, session);
            var disk = ChangedSnapshots.make(daemon, call, size, pct, true, dir);
            String s1 = disk.first();
            String s2 = disk.second();
            int blocks = disk.blocks();
            var changed = disk.changed();
            List<Integer> listed = CbtBlocks.decode((String) call.of("VDI.list_changed_blocks", s1, s2));
            var units = new TreeSet<Integer>();
            for (int b : listed) units.add(b / (UNIT / BLOCK));
            if (!listed.equals(new ArrayList<>(changed))) throw new AssertionError("listed " + listed + ", changed " + changed);

            String pif = ((List<?>) call.of("host.get_PIFs", ((List<?>) call.of("host.get_all")).getFirst())).stream().map(String.class::cast)
                    .filter(p -> !((String) call.of("PIF.get_IP", p)).isEmpty()).findFirst().orElseThrow();
            call.of("network.add_purpose", call.of("PIF.get_network", pif), "nbd");
            @SuppressWarnings("unchecked") var info = (Map<String, Object>) ((List<?>) call.of("VDI.get_nbd_info", s2)).getFirst();
            Path tls = Files.createDirectories(dir.resolve("tls"));
            Files.writeString(tls.resolve("ca-cert.pem"), (String) info.get("cert"));
            String object = "tls-creds-x509,id=tls0,endpoint=client,sanity-check=off,dir=" + tls;
            String export = "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"nbd\",\"server\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\""
                    + info.get("port") + "\"},\"export\":\"" + info.get("exportname") + "\",\"tls-creds\":\"tls0\",\"tls-hostname\":\""
                    + info.get("subject") + "\"}}";
            var reads64k = new ArrayList<>(List.of("qemu-io", "-r", "--object", object));
            for (int b : listed) reads64k.addAll(List.of("-c", "read " + (long) b * BLOCK + " " + BLOCK));
            reads64k.add(export);
            var reads2m = new ArrayList<>(List.of("qemu-io", "-r", "--object", object));
            for (int u : units) reads2m.addAll(List.of("-c", "read " + (long) u * UNIT + " " + Math.min(UNIT, size - (long) u * UNIT)));
            reads2m.add(export);
            Path out = dir.resolve("out.raw");
            String local = daemon.node().storage().blockdev(VDI.CLASS.ref(s2), "s2");
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                run(List.of("qemu-img", "convert", "--object", object, "-O", "raw", export, out.toString()));
                ms.computeIfAbsent("full over NBD", k -> new ArrayList<>()).add(Stats.msSince(t0));
                t0 = System.nanoTime();
                run(reads64k);
                ms.computeIfAbsent("changed 64 KiB blocks", k -> new ArrayList<>()).add(Stats.msSince(t0));
                t0 = System.nanoTime();
                run(reads2m);
                ms.computeIfAbsent("their 2 MiB units", k -> new ArrayList<>()).add(Stats.msSince(t0));
                t0 = System.nanoTime();
                run(List.of("qemu-img", "convert", "-O", "raw", "json:" + local, out.toString()));
                ms.computeIfAbsent("full from files", k -> new ArrayList<>()).add(Stats.msSince(t0));
            }
            System.out.println(Stats.machine());
            System.out.printf("disk %d MiB, %d of %d 64 KiB blocks changed (%.2f%%), %d runs; median ms (min-max)%n",
                    size >> 20, listed.size(), blocks, 100.0 * listed.size() / blocks, runs);
            Map<String, Long> bytes = Map.of("full over NBD", size, "changed 64 KiB blocks", (long) listed.size() * BLOCK,
                    "their 2 MiB units", (long) units.size() * UNIT, "full from files", size);
            for (var e : ms.entrySet()) {
                System.out.printf("%-22s %8s (%s-%s)  %11d bytes  %6.2f%% of the disk%n", e.getKey(), Stats.whole(Stats.median(e.getValue())),
                        Stats.whole(Stats.percentile(e.getValue(), 0)), Stats.whole(Stats.percentile(e.getValue(), 100)),
                        bytes.get(e.getKey()), 100.0 * bytes.get(e.getKey()) / size);
            }
            System.out.printf("ratio incremental (64 KiB) / full over NBD: time %s, bytes %.4f; full over NBD / from files: %s%n",
                    Stats.ratio(Stats.median(ms.get("changed 64 KiB blocks")), Stats.median(ms.get("full over NBD"))),
                    (double) listed.size() * BLOCK / size,
                    Stats.ratio(Stats.median(ms.get("full over NBD")), Stats.median(ms.get("full from files"))));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(List<String> cmd) throws Exception { ChangedSnapshots.run(cmd); }
}

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
import org.flotilla.runtime.TrustingTls;
import org.flotilla.server.ApiServerConfig;

/**
 * VMware conversion: an OVA (a DSP0243 descriptor, its SHA-256 manifest and one streamOptimized VMDK of
 * {@code disk-mib} (256) MiB, every other 2 MiB block random, tarred by GNU tar) imported with {@code PUT /import} — the VM, its VDI, VBD and VIF made, the
 * package staged and the VMDK converted into the VDI — against {@code qemu-img convert -f vmdk -O qcow2} of the same
 * VMDK into a file on the same disk, and against what an administrator would run by hand (GNU tar unpacking the OVA,
 * sha256sum checking its manifest, qemu-img converting the VMDK), alternately in one run. The import includes the client (Java's HttpClient over TLS
 * on loopback, sending the file); each imported VM and its disk are destroyed before the next round. Medians of
 * {@code runs} (5) and their ratio.
 */
public final class OvaBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchArgs.parse(args);
        int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        long size = Long.parseLong(a.getOrDefault("disk-mib", "256")) << 20;
        Path dir = Files.createTempDirectory("flotilla-ova-bench");
        org.flotilla.TestDomainIds.seed(dir);
        try (Daemon daemon = Daemon.start(dir, ApiServerConfig.loopbackEphemeral(), "bench", "127.0.0.1")) {
            var rpc = daemon.node().rpc();
            String session = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "bench")));
            Path pkg = Files.createDirectory(dir.resolve("pkg"));
            Path raw = dir.resolve("disk.raw");
            DiskStreamsBench.writeHalf(raw, size);
            run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), pkg.resolve("bench-disk1.vmdk").toString());
            Files.writeString(pkg.resolve("bench.ovf"), descriptor(Files.size(pkg.resolve("bench-disk1.vmdk")), size));
            var manifest = new StringBuilder();
            for (String f : List.of("bench.ovf", "bench-disk1.vmdk")) {
                var sha = java.security.MessageDigest.getInstance("SHA-256");
                try (var in = new java.security.DigestInputStream(Files.newInputStream(pkg.resolve(f)), sha)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                manifest.append("SHA256(").append(f).append(")= ").append(java.util.HexFormat.of().formatHex(sha.digest())).append('\n');
            }
            Files.writeString(pkg.resolve("bench.mf"), manifest);
            run("tar", "--format=ustar", "-C", pkg.toString(), "-cf", dir.resolve("bench.ova").toString(), "bench.ovf", "bench.mf", "bench-disk1.vmdk");
            HttpClient http = TrustingTls.httpClient();
            String url = "https://127.0.0.1:" + daemon.httpsPort() + "/import?session_id=" + session;
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                var r = http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofFile(dir.resolve("bench.ova"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("import: " + r.statusCode() + " " + r.body());
                ms.computeIfAbsent("import OVA", k -> new ArrayList<>()).add(Stats.msSince(t0));
                Path out = dir.resolve("out.qcow2");
                t0 = System.nanoTime();
                run("qemu-img", "convert", "-f", "vmdk", "-O", "qcow2", pkg.resolve("bench-disk1.vmdk").toString(), out.toString());
                ms.computeIfAbsent("qemu-img vmdk->qcow2", k -> new ArrayList<>()).add(Stats.msSince(t0));
                Files.delete(out);
                // what an administrator would run by hand for the same disk: unpack, check the manifest, convert
                Path by = Files.createDirectory(dir.resolve("by-hand"));
                t0 = System.nanoTime();
                run("tar", "-C", by.toString(), "-xf", dir.resolve("bench.ova").toString());
                run("sh", "-c", "cd " + by + " && sed 's/^SHA256(\\(.*\\))= \\(.*\\)$/\\2  \\1/' bench.mf | sha256sum -c --quiet");
                run("qemu-img", "convert", "-f", "vmdk", "-O", "qcow2", by.resolve("bench-disk1.vmdk").toString(), out.toString());
                ms.computeIfAbsent("by hand (tar, sha256sum, qemu-img)", k -> new ArrayList<>()).add(Stats.msSince(t0));
                try (var files = Files.walk(by)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                Files.delete(out);
                for (Object vm : (List<?>) rpc.call("VM.get_by_name_label", new ArrayList<>(List.of(session, "bench")))) {
                    for (Object vbd : (List<?>) rpc.call("VM.get_VBDs", new ArrayList<>(List.of(session, vm)))) {
                        Object vdi = rpc.call("VBD.get_VDI", new ArrayList<>(List.of(session, vbd)));
                        rpc.call("VM.destroy", new ArrayList<>(List.of(session, vm)));
                        rpc.call("VDI.destroy", new ArrayList<>(List.of(session, vdi)));
                    }
                }
            }
            System.out.println(Stats.machine());
            System.out.printf("OVA of one streamOptimized VMDK, disk %d MiB (%d MiB of data), package %d MiB; %d runs; median ms (min-max)%n",
                    size >> 20, size >> 21, Files.size(dir.resolve("bench.ova")) >> 20, runs);
            for (var e : ms.entrySet()) {
                System.out.printf("%-36s %8s (%s-%s)%n", e.getKey(), Stats.whole(Stats.median(e.getValue())),
                        Stats.whole(Stats.percentile(e.getValue(), 0)), Stats.whole(Stats.percentile(e.getValue(), 100)));
            }
            System.out.printf("ratio import / qemu-img: %s; import / by hand: %s%n", Stats.ratio(Stats.median(ms.get("import OVA")), Stats.median(ms.get("qemu-img vmdk->qcow2"))),
                    Stats.ratio(Stats.median(ms.get("import OVA")), Stats.median(ms.get("by hand (tar, sha256sum, qemu-img)"))));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String descriptor(long fileSize, long capacity) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
                  <References><File ovf:href="bench-disk1.vmdk" ovf:id="file1" ovf:size="%d"/></References>
                  <DiskSection><Info>disks</Info><Disk ovf:capacity="%d" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/></DiskSection>
                  <VirtualSystem ovf:id="bench"><Info>A VM</Info><Name>bench</Name>
                    <VirtualHardwareSection><Info>hardware</Info>
                      <Item><rasd:ElementName>1 CPU</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
                      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>128</rasd:VirtualQuantity></Item>
                      <Item><rasd:ElementName>Hard disk 1</rasd:ElementName><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
                    </VirtualHardwareSection>
                  </VirtualSystem>
                </Envelope>
                """.formatted(fileSize, capacity);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(List.of(cmd) + ": " + out);
    }
}

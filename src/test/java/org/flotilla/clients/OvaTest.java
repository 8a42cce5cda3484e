package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.Slow;
import org.flotilla.qemu.TestGuest;
import org.flotilla.runtime.TrustingTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VMware conversion: OVA packages as VMware exports them — an OVF descriptor following DMTF DSP0243, a manifest of
 * SHA-1 or SHA-256 sums, VMDKs made by qemu-img (streamOptimized, monolithicSparse, monolithicFlat), tarred by GNU tar
 * with the descriptor first — imported over HTTP and with xe into VMs with their CPUs, memory, disks, CD, NICs and
 * firmware; a VirtualSystemCollection of two VMs in one call, each on a subtask; the VM made from the test guest's
 * disk boots. Then packages broken each way the issue names — an extent naming a host file or climbing out, a qcow2
 * with a backing file, a sparse VMDK that hides a descriptor, a tar entry escaping, a 2 TiB disk the SR cannot hold,
 * a stream cut short, a wrong sum, a disk file the package lacks, garbage XML, an XML entity reading a host file —
 * each refused with no VM, no VDI and no staged file left.
 */
@Slow
class OvaTest {
    static final long MIB = 1 << 20;
    static TestDaemon daemon;
    static HttpClient client;
    static String session;
    static Path files;
    static Path staging;
    static byte[] guestDisk;

    @BeforeAll
    static void start() throws Exception {
        files = Files.createTempDirectory("ova-test");
        staging = Files.createDirectory(files.resolve("staging"));
        System.setProperty("flotilla.import-staging", staging.toString());
        daemon = new TestDaemon();
        client = TrustingTls.httpClient();
        session = (String) daemon.daemon.node().rpc().call("session.login_with_password", new ArrayList<>(List.of("root", TestDaemon.PASSWORD)));
        guestDisk = Files.readAllBytes(TestGuest.DISK);
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("flotilla.import-staging");
        if (daemon != null) daemon.close();
        try (Stream<Path> walk = Files.walk(files)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- packages ------------------------------------------------------------------------------

    /** A disk of a package: its file name, capacity, and for a flat VMDK the extent file beside its descriptor. */
    record DiskFile(String id, String href, long capacity, String format, String extent) {}

    /** One VirtualSystem's items, as rasd Item elements. */
    record Vm(String name, int cpus, String memory, String memoryUnits, List<String> items, String config) {}

    static String qemuImg(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** {@code raw} as a VMDK of {@code subformat} in {@code dir}, named {@code name}. */
    static Path vmdk(Path dir, Path raw, String subformat, String name) throws Exception {
        Path out = dir.resolve(name);
        qemuImg("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), out.toString());
        return out;
    }

    static String item(int type, String name, String... more) {
        var sb = new StringBuilder("      <Item>\n");
        for (int i = 0; i < more.length; i += 2) sb.append("        <rasd:").append(more[i]).append('>').append(more[i + 1]).append("</rasd:").append(more[i]).append(">\n");
        sb.append("        <rasd:ElementName>").append(name).append("</rasd:ElementName>\n");
        sb.append("        <rasd:InstanceID>").append(Math.abs(name.hashCode() % 1000)).append("</rasd:InstanceID>\n");
        sb.append("        <rasd:ResourceType>").append(type).append("</rasd:ResourceType>\n");
        return sb.append("      </Item>\n").toString();
    }

    static String diskItem(String name, String diskId) { return item(17, name, "AddressOnParent", "0", "HostResource", "ovf:/disk/" + diskId, "Parent", "3"); }

    static String nicItem(String name, String network, String mac) {
        return item(10, name, "Address", mac, "AutomaticAllocation", "true", "Connection", network, "ResourceSubType", "VmxNet3");
    }

    /** A DSP0243 1.1 descriptor, as VMware's ovftool writes one: References, DiskSection, NetworkSection, the systems. */
    static String ovf(List<Path> refs, List<DiskFile> disks, List<Vm> vms) throws IOException {
        var sb = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope vmw:buildId="build-1" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <References>
                """);
        for (int i = 0; i < refs.size(); i++) {
            sb.append("    <File ovf:href=\"").append(refs.get(i).getFileName()).append("\" ovf:id=\"file").append(i + 1)
                    .append("\" ovf:size=\"").append(Files.exists(refs.get(i)) ? Files.size(refs.get(i)) : 1024).append("\"/>\n");
        }
        sb.append("  </References>\n  <DiskSection>\n    <Info>Virtual disk information</Info>\n");
        for (DiskFile d : disks) {
            int file = 1 + refs.stream().map(p -> p.getFileName().toString()).toList().indexOf(d.href());
            sb.append("    <Disk ovf:capacity=\"").append(d.capacity() / MIB).append("\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"")
                    .append(d.id()).append("\" ovf:fileRef=\"file").append(file).append("\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#")
                    .append(d.format()).append("\"/>\n");
        }
        sb.append("""
                  </DiskSection>
                  <NetworkSection>
                    <Info>The list of logical networks</Info>
                    <Network ovf:name="VM Network">
                      <Description>The VM Network network</Description>
                    </Network>
                  </NetworkSection>
                """);
        boolean collection = vms.size() > 1;
        if (collection) sb.append("  <VirtualSystemCollection ovf:id=\"vApp\">\n    <Info>A collection of virtual machines</Info>\n    <Name>vApp</Name>\n");
        for (Vm vm : vms) {
            sb.append("  <VirtualSystem ovf:id=\"").append(vm.name()).append("\">\n    <Info>A virtual machine</Info>\n    <Name>").append(vm.name()).append("</Name>\n")
                    .append("    <AnnotationSection>\n      <Info>A human-readable annotation</Info>\n      <Annotation>converted from VMware: ")
                    .append(vm.name()).append("</Annotation>\n    </AnnotationSection>\n")
                    .append("    <OperatingSystemSection ovf:id=\"101\" vmw:osType=\"otherLinux64Guest\">\n      <Info>The kind of installed guest operating system</Info>\n")
                    .append("      <Description>Other Linux (64-bit)</Description>\n    </OperatingSystemSection>\n")
                    .append("    <VirtualHardwareSection>\n      <Info>Virtual hardware requirements</Info>\n      <System>\n")
                    .append("        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n        <vssd:InstanceID>0</vssd:InstanceID>\n")
                    .append("        <vssd:VirtualSystemIdentifier>").append(vm.name()).append("</vssd:VirtualSystemIdentifier>\n")
                    .append("        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>\n      </System>\n");
            sb.append(item(3, vm.cpus() + " virtual CPU(s)", "AllocationUnits", "hertz * 10^6", "VirtualQuantity", Integer.toString(vm.cpus())));
            sb.append(item(4, vm.memory() + " of memory", "AllocationUnits", vm.memoryUnits(), "VirtualQuantity", vm.memory()));
            sb.append(item(6, "SCSI controller 0", "ResourceSubType", "VirtualSCSI"));
            for (String i : vm.items()) sb.append(i);
            if (vm.config() != null) sb.append("      ").append(vm.config()).append('\n');
            sb.append("    </VirtualHardwareSection>\n  </VirtualSystem>\n");
        }
        if (collection) sb.append("  </VirtualSystemCollection>\n");
        return sb.append("</Envelope>\n").toString();
    }

    static String sum(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    /** The manifest of {@code names} in {@code dir}: SHA256 lines, as ovftool 4 writes them, or SHA1 as older ones. */
    static String manifest(Path dir, List<String> names, String algorithm) throws Exception {
        var sb = new StringBuilder();
        for (String n : names) sb.append(algorithm).append('(').append(n).append(")= ").append(sum(algorithm.equals("SHA1") ? "SHA-1" : "SHA-256", Files.readAllBytes(dir.resolve(n)))).append('\n');
        return sb.toString();
    }

    /** GNU tar's OVA of {@code names} in {@code dir}, in that order (the descriptor first, as DSP0243 requires). */
    static Path gnuTar(Path dir, String ova, List<String> names) throws Exception {
        var cmd = new ArrayList<>(List.of("tar", "--format=ustar", "-C", dir.toString(), "-cf", dir.resolve(ova).toString()));
        cmd.addAll(names);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return dir.resolve(ova);
    }

    /** A tar written here, for entries GNU tar will not write (names that climb out of the archive). */
    static byte[] tar(Map<String, byte[]> entries) {
        var out = new ByteArrayOutputStream();
        for (var e : entries.entrySet()) {
            byte[] h = new byte[512];
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            System.arraycopy(name, 0, h, 0, name.length);
            octal(h, 100, 8, 0644);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, e.getValue().length);
            octal(h, 136, 12, 0);
            h[156] = '0';
            System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
            h[263] = '0';
            h[264] = '0';
            Arrays.fill(h, 148, 156, (byte) ' ');
            long s = 0;
            for (byte b : h) s += b & 0xff;
            octal(h, 148, 7, s);
            out.writeBytes(h);
            out.writeBytes(e.getValue());
            out.writeBytes(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static Map<String, byte[]> ordered(Object... kv) {
        var m = new LinkedHashMap<String, byte[]>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (byte[]) kv[i + 1]);
        return m;
    }

    private static void octal(byte[] h, int at, int width, long v) {
        String s = String.format("%0" + (width - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, width - 1);
    }

    // ---- calls ---------------------------------------------------------------------------------

    static String url(String pathAndQuery) {
        return "https://127.0.0.1:" + daemon.daemon.httpsPort() + pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "session_id=" + session;
    }

    /** PUT /import of {@code body} under a new task; the task's record once it has ended. */
    static Map<String, Object> importing(byte[] body) throws Exception {
        String task = (String) daemon.rpc("task.create", "ova", "");
        var r = HttpRequest.newBuilder(URI.create(url("/import?task_id=" + task))).timeout(XvaTest.WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        client.send(r, HttpResponse.BodyHandlers.ofString());
        var t = new LinkedHashMap<>(DiskStreamsTest.ended(daemon, task));
        t.put("ref", task);
        return t;
    }

    static List<String> refsIn(String result) {
        var m = java.util.regex.Pattern.compile("OpaqueRef:[0-9a-fA-F-]+").matcher(result);
        var out = new ArrayList<String>();
        while (m.find()) out.add(m.group());
        return out;
    }

    static List<Integer> counts() {
        return List.of(((Map<?, ?>) daemon.rpc("VM.get_all_records")).size(), ((Map<?, ?>) daemon.rpc("VDI.get_all_records")).size());
    }

    static byte[] rawOf(String vdi) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create(url("/export_raw_vdi?vdi=" + vdi))).timeout(XvaTest.WAIT).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    static List<Map<?, ?>> vbds(String vm) {
        var out = new ArrayList<Map<?, ?>>();
        for (Object b : (List<?>) daemon.rpc("VM.get_VBDs", vm)) out.add((Map<?, ?>) daemon.rpc("VBD.get_record", b));
        out.sort(java.util.Comparator.comparing(b -> String.valueOf(b.get("userdevice"))));
        return out;
    }

    // ---- tests ---------------------------------------------------------------------------------

    /**
     * A vApp of two VMs in one OVA over HTTP: "web" from the test guest's disk (streamOptimized) with a CD, a NIC with its
     * MAC on a network the pool lacks, a floppy and a USB controller; "db" on UEFI with a monolithicSparse and a
     * monolithicFlat disk. Each VM reports on a subtask; the task's result names both; "web" boots from its disk.
     */
    @Test
    void aVappOfTwoVmsImportsOverHttpAndBoots() throws Exception {
        Path dir = Files.createDirectory(files.resolve("vapp"));
        Path guest = dir.resolve("guest.raw");
        Files.copy(TestGuest.DISK, guest);
        Path web = vmdk(dir, guest, "streamOptimized", "web-disk1.vmdk");
        Path data = dir.resolve("data.raw");
        byte[] dataBytes = new byte[(int) (8 * MIB)];
        new java.util.Random(5).nextBytes(dataBytes);
        Arrays.fill(dataBytes, (int) MIB, (int) (7 * MIB), (byte) 0);
        Files.write(data, dataBytes);
        Path sparse = vmdk(dir, data, "monolithicSparse", "db-disk1.vmdk");
        Path flat = vmdk(dir, data, "monolithicFlat", "db-disk2.vmdk");
        Path flatExtent = dir.resolve("db-disk2-flat.vmdk");
        Path split = vmdk(dir, data, "twoGbMaxExtentSparse", "db-disk3.vmdk");
        Path splitExtent = dir.resolve("db-disk3-s001.vmdk");
        var refs = List.of(web, sparse, flat, flatExtent, split, splitExtent);
        var disks = List.of(new DiskFile("vmdisk1", "web-disk1.vmdk", Files.size(guest), "streamOptimized", null),
                new DiskFile("vmdisk2", "db-disk1.vmdk", 8 * MIB, "monolithicSparse", null),
                new DiskFile("vmdisk3", "db-disk2.vmdk", 8 * MIB, "monolithicFlat", "db-disk2-flat.vmdk"),
                new DiskFile("vmdisk4", "db-disk3.vmdk", 8 * MIB, "twoGbMaxExtentSparse", "db-disk3-s001.vmdk"));
        var vms = List.of(
                new Vm("web", 2, "128", "byte * 2^20", List.of(diskItem("Hard disk 1", "vmdisk1"), item(15, "CD/DVD drive 1", "AutomaticAllocation", "false"),
                        nicItem("Network adapter 1", "VM Network", "00:50:56:aa:bb:01"), item(14, "Floppy drive 1"), item(23, "USB controller")), null),
                new Vm("db", 1, "1", "byte * 2^30", List.of(diskItem("Hard disk 1", "vmdisk2"), diskItem("Hard disk 2", "vmdisk3"), diskItem("Hard disk 3", "vmdisk4")),
                        "<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>"));
        Files.writeString(dir.resolve("vapp.ovf"), ovf(refs, disks, vms));
        var names = List.of("vapp.ovf", "web-disk1.vmdk", "db-disk1.vmdk", "db-disk2.vmdk", "db-disk2-flat.vmdk", "db-disk3.vmdk", "db-disk3-s001.vmdk");
        Files.writeString(dir.resolve("vapp.mf"), manifest(dir, names, "SHA256"));
        var tarNames = new ArrayList<>(names);
        tarNames.add(1, "vapp.mf");
        Path ova = gnuTar(dir, "vapp.ova", tarNames);

        var before = counts();
        var t = importing(Files.readAllBytes(ova));
        assertEquals("success", t.get("status"), t.toString());
        List<String> made = refsIn(String.valueOf(t.get("result")));
        assertEquals(2, made.size(), t.toString());
        assertEquals(List.of(before.get(0) + 2, before.get(1) + 4), counts());
        List<?> subtasks = (List<?>) daemon.rpc("task.get_subtasks", t.get("ref"));
        assertEquals(2, subtasks.size());
        for (Object s : subtasks) {
            assertEquals("success", daemon.rpc("task.get_status", s));
            assertEquals(1.0, ((Number) daemon.rpc("task.get_progress", s)).doubleValue());
        }

        String webVm = made.get(0);
        assertEquals("web", daemon.rpc("VM.get_name_label", webVm));
        assertEquals("converted from VMware: web", daemon.rpc("VM.get_name_description", webVm));
        assertEquals("2", String.valueOf(daemon.rpc("VM.get_VCPUs_max", webVm)));
        assertEquals(Long.toString(128 * MIB), String.valueOf(daemon.rpc("VM.get_memory_static_max", webVm)));
        assertEquals("bios", ((Map<?, ?>) daemon.rpc("VM.get_HVM_boot_params", webVm)).get("firmware"));
        var webVbds = vbds(webVm);
        assertEquals(List.of("Disk", "CD"), webVbds.stream().map(b -> String.valueOf(b.get("type"))).toList());
        assertTrue(Boolean.TRUE.equals(webVbds.get(1).get("empty")));
        assertArrayEquals(guestDisk, rawOf((String) webVbds.get(0).get("VDI")), "the guest disk, through streamOptimized VMDK");
        List<?> vifs = (List<?>) daemon.rpc("VM.get_VIFs", webVm);
        assertEquals(1, vifs.size());
        assertEquals("00:50:56:aa:bb:01", daemon.rpc("VIF.get_MAC", vifs.getFirst()));
        String unmapped = String.valueOf(((Map<?, ?>) daemon.rpc("VM.get_other_config", webVm)).get("import_unmapped"));
        assertTrue(unmapped.contains("floppy drive 'Floppy drive 1'") && unmapped.contains("USB controller")
                && unmapped.contains("NIC 'Network adapter 1' on network 'VM Network', not in this pool"), unmapped);

        String dbVm = made.get(1);
        assertEquals("uefi", ((Map<?, ?>) daemon.rpc("VM.get_HVM_boot_params", dbVm)).get("firmware"));
        assertEquals(Long.toString(1L << 30), String.valueOf(daemon.rpc("VM.get_memory_static_max", dbVm)));
        var dbVbds = vbds(dbVm);
        assertEquals(3, dbVbds.size());
        for (var b : dbVbds) assertArrayEquals(dataBytes, rawOf((String) b.get("VDI")), "monolithicSparse, monolithicFlat, twoGbMaxExtentSparse");
        assertEquals(List.of(), listStaging());

        XvaTest.booted(daemon, webVm);
        // the UEFI VM starts on OVMF with a variable store of its own
        daemon.rpc("VM.start", dbVm, false, false);
        try {
            Path argv = daemon.stateDir.resolve("run").resolve((String) daemon.rpc("VM.get_uuid", dbVm)).resolve("argv");
            assertTrue(String.join(" ", Files.readAllLines(argv)).contains("pflash0=uefi-code,pflash1=uefi-vars"), Files.readString(argv));
        } finally {
            daemon.rpc("VM.hard_shutdown", dbVm);
        }
    }

    /**
     * xe vm-import as the README shows it: an OVF directory as ovftool leaves one (sent by xe as the OVA it makes), and a
     * directory of OVAs imported in turn, the new VMs' uuids printed comma-separated as XAPI's xe prints them.
     */
    @Test
    void xeImportsAnOvfDirectoryAndABatchOfOvas() throws Exception {
        Path dir = Files.createDirectory(files.resolve("xe"));
        Path raw = files.resolve("small.raw");
        byte[] bytes = new byte[(int) (4 * MIB)];
        new java.util.Random(9).nextBytes(bytes);
        Files.write(raw, bytes);
        Path disk = vmdk(dir, raw, "streamOptimized", "small-disk1.vmdk");
        Files.writeString(dir.resolve("small.ovf"), ovf(List.of(disk), List.of(new DiskFile("vmdisk1", "small-disk1.vmdk", 4 * MIB, "streamOptimized", null)),
                List.of(new Vm("small", 1, "64", "MegaBytes", List.of(diskItem("Hard disk 1", "vmdisk1")), null))));
        Files.writeString(dir.resolve("small.mf"), manifest(dir, List.of("small.ovf", "small-disk1.vmdk"), "SHA1"));
        var run = DiskStreamsTest.xe(daemon, List.of("vm-import", "filename=" + dir));
        assertEquals(0, run.code(), run.err());
        String vm = (String) daemon.rpc("VM.get_by_uuid", run.out().strip());
        assertEquals("small", daemon.rpc("VM.get_name_label", vm));
        assertArrayEquals(bytes, rawOf((String) vbds(vm).getFirst().get("VDI")));

        Path batch = Files.createDirectory(files.resolve("batch"));
        Path ova = gnuTar(dir, "small.ova", List.of("small.ovf", "small.mf", "small-disk1.vmdk"));
        Files.copy(ova, batch.resolve("a.ova"));
        Files.copy(ova, batch.resolve("b.ova"));
        var before = counts();
        run = DiskStreamsTest.xe(daemon, List.of("vm-import", "filename=" + batch));
        assertEquals(0, run.code(), run.err());
        String[] uuids = run.out().strip().split(",");
        assertEquals(2, uuids.length, run.out());
        for (String uuid : uuids) assertEquals("small", daemon.rpc("VM.get_name_label", daemon.rpc("VM.get_by_uuid", uuid)));
        assertEquals(List.of(before.get(0) + 2, before.get(1) + 2), counts());
    }

    static List<Path> listStaging() throws IOException {
        try (Stream<Path> s = Files.list(staging)) {
            return s.toList();
        }
    }

    /** One small good package's parts, for the bad ones to spoil. */
    record Parts(Path dir, String ovf, byte[] disk, String diskName) {
        Map<String, byte[]> entries() {
            var m = new LinkedHashMap<String, byte[]>();
            m.put("bad.ovf", ovf.getBytes(StandardCharsets.UTF_8));
            m.put(diskName, disk);
            return m;
        }
    }

    static Parts parts(String name, byte[] disk, String format, Path... more) throws Exception {
        Path dir = Files.createTempDirectory(files, name);
        Path file = dir.resolve("bad-disk1.vmdk");
        Files.write(file, disk);
        var refs = new ArrayList<>(List.of(file));
        refs.addAll(List.of(more));
        String ovf = ovf(refs, List.of(new DiskFile("vmdisk1", "bad-disk1.vmdk", 4 * MIB, format, null)),
                List.of(new Vm("bad", 1, "64", "byte * 2^20", List.of(diskItem("Hard disk 1", "vmdisk1")), null)));
        return new Parts(dir, ovf, disk, "bad-disk1.vmdk");
    }

    /** Imports {@code body}, expects {@code code} with {@code detail} in its error, and nothing left behind. */
    static void refused(byte[] body, String code, String detail) throws Exception {
        var before = counts();
        var t = importing(body);
        assertEquals("failure", t.get("status"), t.toString());
        List<?> error = (List<?>) t.get("error_info");
        assertEquals(code, error.getFirst(), error.toString());
        if (detail != null) assertTrue(error.toString().contains(detail), error.toString());
        assertEquals(before, counts(), "no VM or VDI left");
        assertEquals(List.of(), listStaging(), "no staged file left");
    }

    @Test
    void badPackagesAreRefusedAndLeaveNothing() throws Exception {
        Path dir = Files.createTempDirectory(files, "bad");
        Path raw = dir.resolve("disk.raw");
        byte[] bytes = new byte[(int) (4 * MIB)];
        new java.util.Random(3).nextBytes(bytes);
        Files.write(raw, bytes);
        byte[] stream = Files.readAllBytes(vmdk(dir, raw, "streamOptimized", "s.vmdk"));
        vmdk(dir, raw, "monolithicFlat", "f.vmdk");
        String descriptor = Files.readString(dir.resolve("f.vmdk"));

        // a flat VMDK whose extent is a host file, or climbs out of the package
        for (String extent : List.of("/etc/passwd", "../x")) {
            Parts p = parts("extent", descriptor.replace("f-flat.vmdk", extent).getBytes(StandardCharsets.US_ASCII), "monolithicFlat");
            refused(tar(p.entries()), "IMPORT_ERROR", "outside the package");
        }
        // a sparse VMDK with no capacity of its own: QEMU would open the extents its embedded descriptor names
        byte[] hiding = stream.clone();
        Arrays.fill(hiding, 12, 20, (byte) 0);
        refused(tar(parts("hiding", hiding, "streamOptimized").entries()), "IMPORT_ERROR", "without a capacity of its own");
        // a VMDK naming a parent disk
        Parts child = parts("child", descriptor.replace("parentCID=ffffffff", "parentCID=12345678\nparentFileNameHint=\"/etc/passwd\"")
                .getBytes(StandardCharsets.US_ASCII), "monolithicFlat", dir.resolve("f-flat.vmdk"));
        var childEntries = child.entries();
        childEntries.put("f-flat.vmdk", bytes);
        refused(tar(childEntries), "IMPORT_ERROR", "parent");
        // a qcow2 with a backing file on the host
        Path qcow2 = dir.resolve("backed.qcow2");
        qemuImg("create", "-f", "qcow2", "-u", "-b", "/etc/passwd", "-F", "raw", qcow2.toString(), "4M");
        refused(tar(parts("qcow2", Files.readAllBytes(qcow2), "streamOptimized").entries()), "IMPORT_ERROR", "backing file");

        Parts good = parts("good", stream, "streamOptimized");
        // a tar entry that climbs out of its directory
        var escaping = good.entries();
        escaping.put("../escape", new byte[] {1});
        refused(tar(escaping), "IMPORT_ERROR", "outside the package");
        // cut short, in the middle of the disk
        byte[] whole = tar(good.entries());
        refused(Arrays.copyOf(whole, whole.length / 2), "IMPORT_ERROR_PREMATURE_EOF", null);
        // a manifest whose sum is wrong
        var summed = new LinkedHashMap<String, byte[]>();
        summed.put("bad.ovf", good.entries().get("bad.ovf"));
        summed.put("bad.mf", ("SHA256(bad.ovf)= " + sum("SHA-256", good.entries().get("bad.ovf")) + "\nSHA256(bad-disk1.vmdk)= " + "0".repeat(64) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        summed.put("bad-disk1.vmdk", stream);
        refused(tar(summed), "IMPORT_ERROR", "checksum failed on bad-disk1.vmdk");
        // the descriptor names a disk file the package does not hold
        var lacking = good.entries();
        lacking.remove("bad-disk1.vmdk");
        refused(tar(lacking), "IMPORT_ERROR", "which the package does not hold");
        // a disk naming a DiskSection entry that does not exist
        refused(tar(ordered("bad.ovf", good.ovf().replace("ovf:/disk/vmdisk1", "ovf:/disk/vmdisk9").getBytes(StandardCharsets.UTF_8), "bad-disk1.vmdk", stream)),
                "IMPORT_ERROR", "which DiskSection does not list");
        // garbage for XML, and an entity that would read a host file
        refused(tar(ordered("bad.ovf", "<Envelope><oops".getBytes(StandardCharsets.UTF_8))), "IMPORT_ERROR", "not XML");
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [<!ENTITY host SYSTEM \"file:///etc/hostname\">]>\n"
                + good.ovf().substring(good.ovf().indexOf("<Envelope")).replace("<Name>bad</Name>", "<Name>&host;</Name>");
        refused(tar(ordered("bad.ovf", xxe.getBytes(StandardCharsets.UTF_8), "bad-disk1.vmdk", stream)), "IMPORT_ERROR", "DOCTYPE");

        // a sparse VMDK declaring 2 TiB (its header's capacity) for 4 MiB of data: as the OVF declares it too, refused for
        // room before a byte is written; where the OVF declares 4 MiB, refused as larger than its VDI
        byte[] huge = stream.clone();
        java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(12, (2L << 40) / 512);
        String hugeOvf = good.ovf().replace("ovf:capacity=\"4\"", "ovf:capacity=\"2097152\"");
        refused(tar(ordered("bad.ovf", hugeOvf.getBytes(StandardCharsets.UTF_8), "bad-disk1.vmdk", huge)), "SR_FULL", null);
        refused(tar(ordered("bad.ovf", good.ovf().getBytes(StandardCharsets.UTF_8), "bad-disk1.vmdk", huge)), "VDI_TOO_SMALL", null);
        // a tar header declaring far more than the stream holds
        byte[] liar = tar(good.entries());
        int second = 512 + ((good.ovf().getBytes(StandardCharsets.UTF_8).length + 511) / 512) * 512;
        byte[] header = Arrays.copyOfRange(liar, second, second + 512);
        octal(header, 124, 12, 1L << 40);
        Arrays.fill(header, 148, 156, (byte) ' ');
        long s = 0;
        for (byte b : header) s += b & 0xff;
        octal(header, 148, 7, s);
        System.arraycopy(header, 0, liar, second, 512);
        refused(liar, "IMPORT_ERROR", "where the OVF declares");
    }
}

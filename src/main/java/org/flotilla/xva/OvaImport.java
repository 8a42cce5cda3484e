package org.flotilla.xva;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flotilla.api.HttpTask;
import org.flotilla.api.TaskContext;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.storage.DiskStreams;
import org.flotilla.storage.PackagedImages;

/**
 * An OVA (DMTF DSP0243: a tar whose first entry is the OVF descriptor, then its manifest and files) read from the
 * client's stream into new VMs, one per VirtualSystem, as XenServer's Conversion Manager maps a VMware export. As soon
 * as the descriptor is read, every VM, VDI, VBD and VIF is made, so a package the SR cannot hold (SR_FULL) or a
 * descriptor naming what is not there fails before a byte of disk is written. The package's files are then staged
 * in a private directory under the daemon's own names (an entry's name is only ever a key: one that would climb out
 * of the package is refused), checked against the manifest (SHA-1, SHA-256 or SHA-512), and each disk converted by qemu-img
 * into its VDI from a description of the image the daemon wrote ({@link PackagedImages}). Each VM reports on a
 * subtask of the client's task; what had no counterpart is kept in the VM's other_config
 * ({@value #UNMAPPED_KEY}). Any failure destroys every object made, and the staging directory always goes.
 */
final class OvaImport {
    static final String UNMAPPED_KEY = "import_unmapped";
    /** The name every import's own staging directory starts with. */
    static final String STAGING_PREFIX = "ova-";
    /** What a VM boots from, as XAPI's HVM templates: disk first, then the CD. */
    private static final String BOOT_ORDER = "cd";
    private static final Pattern MANIFEST_LINE = Pattern.compile("(SHA1|SHA256|SHA512)\\s*\\((.+)\\)\\s*=\\s*([0-9a-fA-F]+)");
    private static final int MANIFEST_MAX = 1 << 20;
    /** The sums a manifest may hold: SHA1 (OVF 1), SHA256 and SHA512 (OVF 2). */
    private static final List<String> ALGORITHMS = List.of("SHA1", "SHA256", "SHA512");
    private static final int BUFFER = 1 << 20;

    /** Opens one VM's subtask of the client's task. */
    @FunctionalInterface
    interface Subtasks {
        HttpTask open(String label);
    }

    private final Calls calls;
    private final DiskStreams streams;
    private final Subtasks subtasks;
    private final Path stagingRoot;
    private final Made made;
    /** The VMs' subtasks opened so far: a failure fails each. */
    private final List<HttpTask> opened = new ArrayList<>();

    OvaImport(Calls calls, DiskStreams streams, Subtasks subtasks, Path stagingRoot) {
        this.calls = calls;
        this.streams = streams;
        this.subtasks = subtasks;
        this.stagingRoot = stagingRoot;
        this.made = new Made(calls);
    }

    /** One VM as made: its ref, its subtask, and its disks as VDI refs by disk id. */
    private record NewVm(String ref, HttpTask task, Map<String, String> vdis) {}

    /** A file of the package: where it is staged (null for those kept in memory: descriptor, manifest), and its sums. */
    private record Staged(Path path, Map<String, String> sums) {}

    /** Imports the OVA whose tar is {@code tar} (the descriptor its next entry) into {@code sr}; returns the new VMs. */
    List<String> run(TarReader tar, String sr, TaskContext task) {
        Path staging = null;
        var vms = new ArrayList<NewVm>();
        try {
            TarReader.Entry first = tar.next();
            String ovfName = checkedName(first.name());
            if (first.size() > OvfEnvelope.MAX_BYTES) throw ApiError.of("IMPORT_ERROR", "an OVF descriptor of " + first.size() + " bytes");
            byte[] xml = new byte[(int) first.size()];
            tar.readAll(xml);
            OvfEnvelope ovf = OvfEnvelope.read(xml);
            for (OvfEnvelope.FileRef f : ovf.files().values()) checkedName(f.href());
            for (OvfEnvelope.VirtualSystem vs : ovf.systems()) vms.add(make(vs, ovf, sr));

            staging = Files.createTempDirectory(stagingRoot, STAGING_PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            var files = new LinkedHashMap<String, Staged>();
            files.put(ovfName, new Staged(null, sums(xml)));
            byte[] manifest = stage(tar, ovf, staging, files, task);
            if (manifest != null) verify(new String(manifest, StandardCharsets.UTF_8), files, ovfName);
            for (OvfEnvelope.FileRef f : ovf.files().values()) {
                if (!files.containsKey(f.href())) throw ApiError.of("IMPORT_ERROR", "the OVF names file " + f.href() + ", which the package does not hold");
            }
            convert(vms, ovf, files, staging, task);
            // a VM's subtask ends only once all are made: a later VM's failure destroys the earlier ones too
            for (NewVm vm : vms) vm.task().success(vm.ref());
            task.progress(1.0);
            return vms.stream().map(NewVm::ref).toList();
        } catch (IOException e) {
            // the client's stream fails as IMPORT_ERROR_PREMATURE_EOF on its own (an ApiError): this is the staging's
            ApiError error = ApiError.of("IMPORT_ERROR", "cannot stage the package in " + stagingRoot + ": " + e.getMessage());
            fail(error);
            throw error;
        } catch (RuntimeException e) {
            fail(e instanceof ApiError a ? a : ApiError.internal(String.valueOf(e)));
            throw e;
        } finally {
            if (staging != null) removeTree(staging);
        }
    }

    /** Converts each VM's disks from their staged images into their VDIs; the second half of the task's progress. */
    private void convert(List<NewVm> vms, OvfEnvelope ovf, Map<String, Staged> files, Path staging, TaskContext task) {
        int done = 0;
        int total = Math.max(1, vms.stream().mapToInt(v -> v.vdis().size()).sum());
        for (NewVm vm : vms) {
            int mine = 0;
            for (var disk : vm.vdis().entrySet()) {
                task.checkCancelled();
                String href = ovf.files().get(ovf.disks().get(disk.getKey()).fileRef()).href();
                Path image = files.get(href).path();
                if (image == null) throw ApiError.of("IMPORT_ERROR", "disk " + disk.getKey() + " names " + href + ", which is not a disk image");
                PackagedImages.Source source = PackagedImages.inspect(href, image, name -> files.containsKey(name) ? files.get(name).path() : null, staging);
                int before = mine;
                int allBefore = done;
                streams.convertInto(VDI.CLASS.ref(disk.getValue()), source, fraction -> {
                    task.checkCancelled();
                    vm.task().progress((before + fraction) / vm.vdis().size());
                    task.progress(0.5 + 0.5 * (allBefore + fraction) / total);
                });
                vm.task().progress((double) ++mine / vm.vdis().size());
                task.progress(0.5 + 0.5 * ++done / total);
            }
        }
    }

    private void fail(ApiError e) {
        made.undo();
        for (HttpTask t : opened) t.failure(e);
    }

    /** Makes the VM for {@code vs} with its VDIs (in {@code sr}, sized as the descriptor says), VBDs and VIFs. */
    private NewVm make(OvfEnvelope.VirtualSystem vs, OvfEnvelope ovf, String sr) {
        var unmapped = new ArrayList<>(vs.unmapped());
        var rec = new LinkedHashMap<String, Object>();
        rec.put("name_label", vs.name());
        rec.put("name_description", vs.description());
        rec.put("user_version", 1);
        rec.put("is_a_template", false);
        rec.put("memory_static_min", vs.memory());
        rec.put("memory_static_max", vs.memory());
        rec.put("memory_dynamic_min", vs.memory());
        rec.put("memory_dynamic_max", vs.memory());
        rec.put("VCPUs_max", vs.vcpus());
        rec.put("VCPUs_at_startup", vs.vcpus());
        rec.put("actions_after_shutdown", "destroy");
        rec.put("actions_after_reboot", "restart");
        rec.put("actions_after_crash", "restart");
        rec.put("HVM_boot_policy", "BIOS order");
        rec.put("HVM_boot_params", Map.of("order", BOOT_ORDER, "firmware", vs.uefi() ? "uefi" : "bios"));
        boolean windows = vs.os().toLowerCase(Locale.ROOT).contains("windows");
        rec.put("platform", Map.of("acpi", "1", "apic", "true", "pae", "true", "nx", "true", "viridian", Boolean.toString(windows),
                "secureboot", Boolean.toString(vs.uefi() && vs.secureBoot())));
        rec.put("domain_type", "hvm");
        HttpTask task = subtasks.open("Import of VM " + vs.name());
        opened.add(task);
        String vm = made.create("VM", rec);

        var vdis = new LinkedHashMap<String, String>();
        int device = 0;
        int nics = 0;
        for (OvfEnvelope.Device d : vs.devices()) {
            switch (d) {
                case OvfEnvelope.DiskDrive disk -> {
                    if (vdis.containsKey(disk.diskId())) throw ApiError.of("IMPORT_ERROR", "VirtualSystem " + vs.name() + " holds disk " + disk.diskId() + " twice");
                    OvfEnvelope.Disk spec = ovf.disks().get(disk.diskId());
                    if (spec.capacity() <= 0) throw ApiError.of("IMPORT_ERROR", "disk " + spec.id() + " declares no capacity");
                    var vdi = new LinkedHashMap<String, Object>();
                    vdi.put("name_label", vs.name() + (disk.label().isEmpty() ? " " + spec.id() : " " + disk.label()));
                    vdi.put("name_description", "imported from " + ovf.files().get(spec.fileRef()).href());
                    vdi.put("SR", sr);
                    vdi.put("virtual_size", Long.toString(spec.capacity()));
                    vdi.put("type", "user");
                    vdi.put("sharable", false);
                    vdi.put("read_only", false);
                    vdi.put("other_config", Map.of());
                    String ref = made.create("VDI", vdi);
                    vdis.put(disk.diskId(), ref);
                    made.create("VBD", vbd(vm, ref, device++, "Disk", vdis.size() == 1));
                }
                case OvfEnvelope.CdDrive cd -> made.create("VBD", vbd(vm, XvaExport.NULL, device++, "CD", false));
                case OvfEnvelope.Nic nic -> made.create("VIF", vif(vm, nic, nics++, unmapped));
            }
        }
        if (!unmapped.isEmpty()) calls.call("VM.add_to_other_config", vm, UNMAPPED_KEY, String.join("; ", unmapped));
        return new NewVm(vm, task, vdis);
    }

    private static Map<String, Object> vbd(String vm, String vdi, int device, String type, boolean bootable) {
        var r = new LinkedHashMap<String, Object>();
        r.put("VM", vm);
        r.put("VDI", vdi);
        r.put("userdevice", Integer.toString(device));
        r.put("bootable", bootable);
        r.put("mode", type.equals("CD") ? "RO" : "RW");
        r.put("type", type);
        r.put("empty", type.equals("CD"));
        r.put("other_config", Map.of());
        r.put("qos_algorithm_type", "");
        r.put("qos_algorithm_params", Map.of());
        return r;
    }

    private Map<String, Object> vif(String vm, OvfEnvelope.Nic nic, int device, List<String> unmapped) {
        String network = null;
        if (!nic.network().isEmpty()) {
            List<?> named = (List<?>) calls.call("network.get_by_name_label", nic.network());
            if (!named.isEmpty()) network = (String) named.getFirst();
        }
        if (network == null) {
            network = defaultNetwork();
            unmapped.add("NIC " + (nic.label().isEmpty() ? Integer.toString(device) : "'" + nic.label() + "'") + " on network '" + nic.network()
                    + "', not in this pool: joined to " + calls.call("network.get_name_label", network));
        }
        var r = new LinkedHashMap<String, Object>();
        r.put("device", Integer.toString(device));
        r.put("network", network);
        r.put("VM", vm);
        r.put("MAC", nic.mac());
        r.put("MTU", 1500);
        r.put("other_config", Map.of());
        r.put("qos_algorithm_type", "");
        r.put("qos_algorithm_params", Map.of());
        return r;
    }

    /** The network a NIC joins when its own is not in the pool: the first, by name, of those with a PIF; else the first. */
    private String defaultNetwork() {
        @SuppressWarnings("unchecked") var all = (Map<String, Map<String, Object>>) calls.call("network.get_all_records");
        return all.entrySet().stream()
                .filter(e -> !"true".equals(((Map<?, ?>) e.getValue().getOrDefault("other_config", Map.of())).get("is_host_internal_management_network")))
                .sorted(Comparator.<Map.Entry<String, Map<String, Object>>, Boolean>comparing(e -> ((List<?>) e.getValue().getOrDefault("PIFs", List.of())).isEmpty())
                        .thenComparing(e -> String.valueOf(e.getValue().get("name_label"))))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> ApiError.of("IMPORT_ERROR", "a NIC's network is not in this pool, and the pool has no network"));
    }

    /**
     * Stages every further entry of the package under {@code f<N>} in {@code staging}, each summed as it is written;
     * returns the manifest's bytes, if the package has one. Only files the descriptor names, its manifest and its
     * certificate are taken, each once.
     */
    private byte[] stage(TarReader tar, OvfEnvelope ovf, Path staging, Map<String, Staged> files, TaskContext task) throws IOException {
        var declared = new HashMap<String, Long>();
        long total = 0;
        for (OvfEnvelope.FileRef f : ovf.files().values()) {
            declared.put(f.href(), f.size());
            total += Math.max(0, f.size());
        }
        byte[] manifest = null;
        // what a file is summed with: every algorithm a manifest may use until the manifest is read (DSP0243 puts it
        // second, so usually none is wasted), then only those it uses
        List<String> algorithms = ALGORITHMS;
        byte[] buf = new byte[BUFFER];
        long read = 0;
        TarReader.Entry e;
        while ((e = tar.next()) != null) {
            String name = checkedName(e.name());
            if (files.containsKey(name)) throw ApiError.of("IMPORT_ERROR", "the package holds " + name + " twice");
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".mf") || lower.endsWith(".cert")) {
                if (e.size() > MANIFEST_MAX) throw ApiError.of("IMPORT_ERROR", name + " is " + e.size() + " bytes");
                byte[] bytes = new byte[(int) e.size()];
                tar.readAll(bytes);
                if (lower.endsWith(".mf")) {
                    manifest = bytes;
                    algorithms = algorithmsOf(new String(bytes, StandardCharsets.UTF_8));
                }
                files.put(name, new Staged(null, sums(bytes)));
                continue;
            }
            Long size = declared.get(name);
            if (size == null) throw ApiError.of("IMPORT_ERROR", "the package holds " + name + ", which the OVF does not name");
            if (size >= 0 && size != e.size()) throw ApiError.of("IMPORT_ERROR", name + " is " + e.size() + " bytes where the OVF declares " + size);
            long room = Files.getFileStore(staging).getUsableSpace();
            if (e.size() > room) throw ApiError.of("IMPORT_ERROR", name + " declares " + e.size() + " bytes; the staging directory has room for " + room);
            Path path = staging.resolve("f" + files.size());
            var digests = new LinkedHashMap<String, MessageDigest>();
            for (String algorithm : algorithms) digests.put(algorithm, digest(algorithm));
            try (OutputStream out = Files.newOutputStream(path)) {
                for (int n; (n = tar.read(buf, 0, buf.length)) > 0; ) {
                    task.checkCancelled();
                    out.write(buf, 0, n);
                    for (MessageDigest d : digests.values()) d.update(buf, 0, n);
                    read += n;
                    if (total > 0) task.progress(0.5 * Math.min(1.0, (double) read / total));
                }
            }
            var sums = new HashMap<String, String>();
            digests.forEach((algorithm, d) -> sums.put(algorithm, hex(d)));
            files.put(name, new Staged(path, sums));
        }
        return manifest;
    }

    /** Checks the package against its manifest: each line's sum right, and every file but the manifest and certificate listed. */
    private static void verify(String manifest, Map<String, Staged> files, String ovfName) {
        var listed = new HashMap<String, Boolean>();
        for (String raw : manifest.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            Matcher m = MANIFEST_LINE.matcher(line);
            if (!m.matches()) throw ApiError.of("IMPORT_ERROR", "the manifest holds a line that is not a sum: " + line);
            String name = m.group(2).strip();
            Staged f = files.get(name);
            if (f == null) throw ApiError.of("IMPORT_ERROR", "the manifest lists " + name + ", which the package does not hold");
            String read = f.sums().get(m.group(1).toUpperCase(Locale.ROOT));
            if (read == null || !read.equalsIgnoreCase(m.group(3))) throw ApiError.of("IMPORT_ERROR", "checksum failed on " + name + ": " + m.group(3) + " given, " + read + " read");
            listed.put(name, true);
        }
        for (String name : files.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.endsWith(".mf") && !lower.endsWith(".cert") && !listed.containsKey(name)) {
                throw ApiError.of("IMPORT_ERROR", "the manifest does not list " + name + (name.equals(ovfName) ? " (the descriptor)" : ""));
            }
        }
    }

    /**
     * A name of the package, taken only as a key: refused if it is absolute or climbs ({@code ..}), as a tar entry
     * escaping its directory would write outside it for a tool that extracts.
     */
    static String checkedName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")) throw ApiError.of("IMPORT_ERROR", "the package names a file " + name);
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) throw ApiError.of("IMPORT_ERROR", "the package names a file " + name + ", outside the package");
        }
        return name;
    }

    /** The algorithms of the manifest's lines, as it names them. */
    private static List<String> algorithmsOf(String manifest) {
        var out = new ArrayList<String>();
        for (String line : manifest.split("\r?\n")) {
            Matcher m = MANIFEST_LINE.matcher(line.strip());
            if (m.matches() && !out.contains(m.group(1).toUpperCase(Locale.ROOT))) out.add(m.group(1).toUpperCase(Locale.ROOT));
        }
        return out;
    }

    private static Map<String, String> sums(byte[] b) {
        var out = new HashMap<String, String>();
        for (String a : ALGORITHMS) {
            MessageDigest d = digest(a);
            d.update(b);
            out.put(a, hex(d));
        }
        return out;
    }

    /** A digest of a manifest's algorithm name (SHA1, SHA256, SHA512). */
    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.replace("SHA", "SHA-"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest d) { return HexFormat.of().formatHex(d.digest()); }

    static void removeTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: what is left is the host's to clean
        }
    }
}

package org.flotilla.xva;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flotilla.api.TaskContext;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.storage.DiskStreams;

/**
 * A halted VM (or a snapshot, which is one) as an XVA, as XAPI's export.ml and stream_vdi.ml write one: ova.xml (the
 * VM, its VBDs, VIFs and their networks, its disks' VDIs and their SRs, references between them as ids), then each
 * disk in 1 MiB chunks named {@code Ref:N/00000000} by their index, each followed by its SHA-1 ({@code .checksum}). A
 * chunk of zeros is left out unless it is the disk's last, so a sparse disk costs what it holds plus the reading. The
 * records are read with the client's session, so what it may not read is not exported; disks are read one chunk at a
 * time over NBD. A vTPM goes with its VM, its state included.
 */
final class XvaExport {
    static final int CHUNK = 1 << 20;

    private final Calls calls;
    private final DiskStreams streams;

    XvaExport(Calls calls, DiskStreams streams) {
        this.calls = calls;
        this.streams = streams;
    }

    /** The package: ova.xml, and the disks unless only the metadata is asked for; the VDIs whose data follows. */
    record Package(OvaXml ova, Map<String, String> disks) {}

    /**
     * ova.xml for {@code vm}, refused (VM_BAD_POWER_STATE) unless halted or suspended, as XAPI's export operation: a
     * running VM's disks change as they are read (Xen Orchestra exports a snapshot of it). A snapshot, or a suspended
     * VM, is written as XAPI writes it without preserve_power_state: a halted VM that is nobody's snapshot, which
     * imports as a VM of its own; the suspended memory stays behind.
     */
    Package describe(String vm) {
        String power = (String) calls.call("VM.get_power_state", vm);
        if (!power.equals("Halted") && !power.equals("Suspended")) {
            throw ApiError.of("VM_BAD_POWER_STATE", vm, "halted, suspended", power.toLowerCase(Locale.ROOT));
        }
        var ids = new LinkedHashMap<String, String>();
        var records = new LinkedHashMap<String, Exported>();
        asExported(add(ids, records, "VM", vm));
        var disks = new LinkedHashMap<String, String>();
        for (Object vbd : (List<?>) calls.call("VM.get_VBDs", vm)) {
            Map<String, Object> r = add(ids, records, "VBD", (String) vbd);
            r.put("currently_attached", false);
            String vdi = (String) r.get("VDI");
            // a CD's medium stays where it is: the drive is exported, as XAPI exports it, without the ISO
            if (!Boolean.TRUE.equals(r.get("empty")) && "Disk".equals(r.get("type")) && !vdi.equals(NULL)) {
                Map<String, Object> v = add(ids, records, "VDI", vdi);
                add(ids, records, "SR", (String) v.get("SR"));
                disks.put(ids.get(vdi), vdi);
            }
        }
        for (Object vif : (List<?>) calls.call("VM.get_VIFs", vm)) {
            Map<String, Object> r = add(ids, records, "VIF", (String) vif);
            r.put("currently_attached", false);
            add(ids, records, "network", (String) r.get("network"));
        }
        for (Object vtpm : (List<?>) calls.call("VM.get_VTPMs", vm)) addVtpm(ids, records, (String) vtpm, vm);
        var objects = new ArrayList<OvaXml.Obj>();
        records.forEach((ref, e) -> objects.add(new OvaXml.Obj(e.cls(), ids.get(ref), renamed(e.record(), ids))));
        return new Package(new OvaXml(version(), objects), disks);
    }

    private record Exported(String cls, Map<String, Object> record) {}

    /** The VM's record as XAPI's make_vm writes it for an export without snapshot metadata. */
    private static void asExported(Map<String, Object> vm) {
        vm.put("power_state", "Halted");
        vm.put("suspend_VDI", NULL);
        vm.put("is_a_snapshot", false);
        vm.put("snapshot_of", NULL);
        vm.put("snapshots", List.of());
        vm.put("snapshot_time", Instant.EPOCH);
        vm.put("transportable_snapshot_id", "");
        vm.put("parent", NULL);
        vm.put("current_operations", Map.of());
        vm.put("allowed_operations", List.of());
    }

    /** Adds the object {@code ref} of {@code cls}, once, with the next id; returns its record. */
    private Map<String, Object> add(Map<String, String> ids, Map<String, Exported> records, String cls, String ref) {
        Exported known = records.get(ref);
        if (known != null) return known.record();
        @SuppressWarnings("unchecked") var rec = new LinkedHashMap<>((Map<String, Object>) calls.call(cls + ".get_record", ref));
        ids.put(ref, "Ref:" + ids.size());
        records.put(ref, new Exported(cls, rec));
        return rec;
    }

    static final String NULL = "OpaqueRef:NULL";

    /**
     * A vTPM as XAPI's make_vtpm writes it: not its API record but its VM, uuid, flags and contents (swtpm's state),
     * under the labels of XAPI's own record type, so that a UEFI guest's keys sealed in its TPM survive the move.
     */
    private void addVtpm(Map<String, String> ids, Map<String, Exported> records, String ref, String vm) {
        @SuppressWarnings("unchecked") var rec = (Map<String, Object>) calls.call("VTPM.get_record", ref);
        var out = new LinkedHashMap<String, Object>();
        out.put(VtpmLabels.VM, vm);
        out.put(VtpmLabels.UUID, rec.get("uuid"));
        out.put(VtpmLabels.IS_UNIQUE, rec.get("is_unique"));
        out.put(VtpmLabels.IS_PROTECTED, rec.get("is_protected"));
        out.put(VtpmLabels.CONTENT, calls.call("VTPM.get_contents", ref));
        ids.put(ref, "Ref:" + ids.size());
        records.put(ref, new Exported("VTPM", out));
    }

    /** The record with references to exported objects as their ids, and to any other object as NULL or left out. */
    private static Map<String, Object> renamed(Map<String, Object> rec, Map<String, String> ids) {
        var out = new LinkedHashMap<String, Object>();
        rec.forEach((k, v) -> out.put(k, switch (v) {
            case String s when s.startsWith("OpaqueRef:") -> ids.getOrDefault(s, NULL);
            case List<?> l when !l.isEmpty() && l.getFirst() instanceof String s && s.startsWith("OpaqueRef:") ->
                    l.stream().filter(ids::containsKey).map(ids::get).toList();
            default -> v;
        }));
        return out;
    }

    private Map<String, Object> version() {
        String host = (String) calls.call("session.get_this_host", calls.session());
        @SuppressWarnings("unchecked") var sw = (Map<String, String>) calls.call("host.get_software_version", host);
        var v = new LinkedHashMap<String, Object>();
        v.put("hostname", calls.call("host.get_hostname", host));
        v.put("date", Instant.now().toString());
        v.put("product_version", sw.getOrDefault("product_version", ""));
        v.put("product_brand", sw.getOrDefault("product_brand", ""));
        v.put("build_number", sw.getOrDefault("build_number", ""));
        v.put("xapi_major", Integer.parseInt(sw.getOrDefault("xapi", "1.0").split("\\.")[0]));
        v.put("xapi_minor", Integer.parseInt(sw.getOrDefault("xapi", "1.0").split("\\.")[1]));
        v.put("export_vsn", OvaXml.EXPORT_VSN);
        return v;
    }

    /** Writes the package to {@code out}: ova.xml, then each disk's chunks unless {@code metadataOnly}. */
    void write(Package p, boolean metadataOnly, OutputStream out, TaskContext task) throws IOException {
        var tar = new TarWriter(out);
        tar.entry(OvaXml.NAME, p.ova().write());
        if (!metadataOnly) {
            long total = 0;
            for (String vdi : p.disks().values()) total += sizeOf(vdi);
            long[] done = {0};
            for (var d : p.disks().entrySet()) writeDisk(tar, d.getKey(), d.getValue(), total, done, task);
        }
        tar.finish();
    }

    private long sizeOf(String vdi) { return Long.parseLong(String.valueOf(calls.call("VDI.get_virtual_size", vdi))); }

    private void writeDisk(TarWriter tar, String id, String vdi, long total, long[] done, TaskContext task) throws IOException {
        long size = sizeOf(vdi);
        byte[] buf = new byte[CHUNK];
        MessageDigest sha1 = sha1();
        try (DiskStreams.Export disk = streams.export(VDI.CLASS.ref(vdi), DiskStreams.Format.RAW)) {
            long chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
            for (long i = 0; i < chunks; i++) {
                task.checkCancelled();
                long at = i * CHUNK;
                int n = (int) Math.min(CHUNK, size - at);
                disk.read(at, buf, 0, n);
                done[0] += n;
                if (i < chunks - 1 && zeros(buf, n)) continue;
                String name = id + "/" + String.format("%08d", i);
                tar.entry(name, buf, 0, n);
                sha1.update(buf, 0, n);
                tar.entry(name + ".checksum", HexFormat.of().formatHex(sha1.digest()).getBytes(StandardCharsets.US_ASCII));
                if (total > 0) task.progress((double) done[0] / total);
            }
        }
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean zeros(byte[] buf, int n) {
        for (int i = 0; i < n; i++) if (buf[i] != 0) return false;
        return true;
    }
}

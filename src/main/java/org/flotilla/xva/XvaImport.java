package org.flotilla.xva;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.flotilla.api.TaskContext;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.storage.DiskStreams;
import org.flotilla.storage.vhd.VhdImport;

/**
 * An XVA read from the client's stream into a new VM, as XAPI's import.ml does: ova.xml first, whose VM, VBDs, VIFs,
 * vTPM and VDIs are made at once (VDIs in the SR asked for, networks found by uuid or name, else made), then each disk's chunks
 * written as they come, each checked against the sum that follows it (SHA-1, or XXH64 as newer writers put). Entry
 * names are only ever keys ({@code Ref:N} and a chunk number), never paths. Anything wrong — the stream cut short, a
 * chunk beyond its disk or larger than one, a wrong checksum, data for a disk ova.xml does not name or a disk without
 * data — fails the import with an IMPORT_ERROR, and every object it made is destroyed: nothing of a failed import is
 * left.
 */
final class XvaImport {
    private static final Pattern CHUNK = Pattern.compile("(Ref:[^/]+)/(\\d{8})(\\.checksum|\\.xxhash)?");
    private static final String NULL = XvaExport.NULL;

    private final Calls calls;
    private final DiskStreams streams;
    private final Made made;

    private final OvaImport ova;

    /**
     * What a full restore ({@code restore=true}) needs beyond the XenAPI, whose constructors make new uuids: the VM
     * made given the uuid it had and its version, and its vTPM the uuid it had, as XAPI's import sets them in its
     * database.
     */
    interface Identity {
        void keep(String vm, String uuid, long version);

        void keepVtpm(String vtpm, String uuid);
    }

    private final Identity identity;

    /** {@code ova} takes a package that turns out to be an OVA (its first entry an OVF descriptor). */
    XvaImport(Calls calls, DiskStreams streams, Identity identity, OvaImport ova) {
        this.calls = calls;
        this.streams = streams;
        this.identity = identity;
        this.made = new Made(calls);
        this.ova = ova;
    }

    /** Imports the XVA (or OVA) in {@code body} into {@code sr}; returns the new VMs' refs. */
    List<String> run(InputStream body, String sr, boolean restore, TaskContext task) {
        try (InputStream in = uncompressed(body)) {
            var tar = new TarReader(new ClientBody(in));
            TarReader.Entry first = tar.peek();
            if (first != null && first.name().toLowerCase(java.util.Locale.ROOT).endsWith(".ovf")) return ova.run(tar, sr, task);
            OvaXml xml = ovaXml(tar);
            var disks = new LinkedHashMap<String, String>();
            String vm = objects(xml, sr, restore, disks);
            readDisks(tar, disks, task);
            return List.of(vm);
        } catch (IOException e) {
            made.undo();
            throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        } catch (RuntimeException e) {
            made.undo();
            throw e;
        }
    }

    private static OvaXml ovaXml(TarReader tar) throws IOException {
        TarReader.Entry first = tar.next();
        if (first == null) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        if (!first.name().equals(OvaXml.NAME)) throw ApiError.of("IMPORT_ERROR", "the package does not start with ova.xml but " + first.name());
        if (first.size() > OvaXml.MAX_BYTES) throw ApiError.of("IMPORT_ERROR", "an ova.xml of " + first.size() + " bytes");
        byte[] xml = new byte[(int) first.size()];
        tar.readAll(xml);
        return OvaXml.read(xml);
    }

    /** Makes the VM and its devices and disks; fills {@code disks} with each VDI's id and new ref. Returns the VM. */
    private String objects(OvaXml ova, String sr, boolean restore, Map<String, String> disks) {
        var vms = ova.of("VM").stream().filter(o -> !Boolean.TRUE.equals(o.snapshot().get("is_a_snapshot"))
                && !Boolean.TRUE.equals(o.snapshot().get("is_control_domain"))).toList();
        if (vms.size() != 1) throw ApiError.of("IMPORT_ERROR", "ova.xml holds " + vms.size() + " VMs where one was expected");
        OvaXml.Obj vmObj = vms.getFirst();
        var byId = new LinkedHashMap<String, OvaXml.Obj>();
        for (var o : ova.objects()) byId.put(o.id(), o);

        var vmRec = unlinked(vmObj.snapshot());
        long version = restore ? replaceable(vmObj.snapshot()) : 0;
        String vm = made.create("VM", vmRec);
        if (restore) identity.keep(vm, String.valueOf(vmObj.snapshot().get("uuid")), version);
        for (var vdi : ova.of("VDI")) {
            var rec = unlinked(vdi.snapshot());
            rec.put("SR", sr);
            rec.put("sm_config", Map.of());
            String ref = made.create("VDI", rec);
            disks.put(vdi.id(), ref);
        }
        for (var vbd : ova.of("VBD")) {
            if (!vmObj.id().equals(vbd.snapshot().get("VM"))) continue;
            var rec = unlinked(vbd.snapshot());
            rec.put("VM", vm);
            String vdi = disks.get(String.valueOf(vbd.snapshot().get("VDI")));
            boolean empty = vdi == null;
            rec.put("VDI", empty ? NULL : vdi);
            rec.put("empty", empty);
            if (empty && "Disk".equals(rec.get("type"))) throw ApiError.of("IMPORT_ERROR", "VBD " + vbd.id() + " names a disk not in ova.xml");
            made.create("VBD", rec);
        }
        for (var vif : ova.of("VIF")) {
            if (!vmObj.id().equals(vif.snapshot().get("VM"))) continue;
            var rec = unlinked(vif.snapshot());
            rec.put("VM", vm);
            rec.put("network", network(byId.get(String.valueOf(vif.snapshot().get("network")))));
            if (!restore) rec.put("MAC", "");
            made.create("VIF", rec);
        }
        for (var vtpm : ova.of("VTPM")) {
            if (vmObj.id().equals(VtpmLabels.get(vtpm.snapshot(), VtpmLabels.VM))) vtpm(vm, vtpm.snapshot(), restore);
        }
        return vm;
    }

    /**
     * The VM's vTPM with the state it had, as XAPI's import makes it: a VTPM holding the exported contents, with the
     * uuid it had for a full restore (IMPORT_ERROR if a vTPM has it already), else a new one. Its is_protected stays
     * false whatever the package says: no host here protects a TPM's state.
     */
    private void vtpm(String vm, Map<String, Object> exported, boolean restore) {
        // a package without the vTPM's uuid gives it a new one, as outside a full restore (not the text "null")
        Object given = restore ? VtpmLabels.get(exported, VtpmLabels.UUID) : null;
        String uuid = given == null ? null : given.toString();
        if (uuid != null) {
            try {
                calls.call("VTPM.get_by_uuid", uuid);
                throw ApiError.of("IMPORT_ERROR", "A VTPM with UUID " + uuid + " already exists");
            } catch (ApiError e) {
                if (!e.code().equals("UUID_INVALID")) throw e;
            }
        }
        boolean unique = Boolean.TRUE.equals(VtpmLabels.get(exported, VtpmLabels.IS_UNIQUE));
        String ref = made.make("VTPM", "create", vm, unique);
        Object content = VtpmLabels.get(exported, VtpmLabels.CONTENT);
        if (content instanceof String c && !c.isEmpty()) calls.call("VTPM.set_contents", ref, c);
        if (uuid != null) identity.keepVtpm(ref, uuid);
    }

    /**
     * For a full restore, which keeps the VM's uuid, as XAPI's import: a VM that has that uuid already is replaced (its
     * VIFs, VBDs and record destroyed; its disks stay) if it is halted (VM_BAD_POWER_STATE) and older than the one
     * imported (VM_TO_IMPORT_IS_NOT_NEWER_VERSION, by VM.version, which each restore increments). Returns the version
     * the restored VM gets.
     */
    private long replaceable(Map<String, Object> exported) {
        long given = exported.get("version") == null ? 0 : Long.parseLong(String.valueOf(exported.get("version")));
        String existing;
        try {
            existing = (String) calls.call("VM.get_by_uuid", String.valueOf(exported.get("uuid")));
        } catch (ApiError none) {
            return given + 1;
        }
        String power = (String) calls.call("VM.get_power_state", existing);
        if (!power.equals("Halted")) throw ApiError.of("VM_BAD_POWER_STATE", existing, "halted", power.toLowerCase(Locale.ROOT));
        long have = Long.parseLong(String.valueOf(calls.call("VM.get_version", existing)));
        if (have >= given) throw ApiError.of("VM_TO_IMPORT_IS_NOT_NEWER_VERSION", existing, Long.toString(have), Long.toString(given));
        for (Object vif : (List<?>) calls.call("VM.get_VIFs", existing)) calls.call("VIF.destroy", vif);
        for (Object vbd : (List<?>) calls.call("VM.get_VBDs", existing)) calls.call("VBD.destroy", vbd);
        calls.call("VM.destroy", existing);
        return given + 1;
    }

    /** The network a VIF joins: the exported one if this pool has it (by uuid, then name), else a new one of its name. */
    private String network(OvaXml.Obj exported) {
        if (exported == null) throw ApiError.of("IMPORT_ERROR", "a VIF names a network not in ova.xml");
        var rec = exported.snapshot();
        try {
            return (String) calls.call("network.get_by_uuid", String.valueOf(rec.get("uuid")));
        } catch (ApiError notHere) {
            // looked for by name next
        }
        List<?> named = (List<?>) calls.call("network.get_by_name_label", String.valueOf(rec.get("name_label")));
        if (!named.isEmpty()) return (String) named.getFirst();
        var fresh = new LinkedHashMap<String, Object>();
        for (String f : List.of("name_label", "name_description", "MTU", "other_config")) if (rec.containsKey(f)) fresh.put(f, rec.get(f));
        return made.create("network", fresh);
    }

    /** A record from ova.xml with every reference cut (ids and refs alike), for the constructors, which take new ones. */
    private static Map<String, Object> unlinked(Map<String, Object> rec) {
        var out = new LinkedHashMap<String, Object>();
        rec.forEach((k, v) -> out.put(k, switch (v) {
            case String s when s.startsWith("Ref:") || s.startsWith("OpaqueRef:") -> NULL;
            case List<?> l when !l.isEmpty() && l.getFirst() instanceof String s && (s.startsWith("Ref:") || s.startsWith("OpaqueRef:")) -> List.of();
            default -> v;
        }));
        return out;
    }

    /** Reads the disks' chunks, one disk after another as XAPI writes them, into the VDIs made for them. */
    private void readDisks(TarReader tar, Map<String, String> disks, TaskContext task) throws IOException {
        Set<String> done = new HashSet<>();
        TarReader.Entry e;
        while ((e = tar.peek()) != null) {
            Matcher m = CHUNK.matcher(e.name());
            if (!m.matches()) {
                tar.next(); // XAPI's packages hold nothing else; a stranger is passed over, as its reader does
                continue;
            }
            String id = m.group(1);
            String vdi = disks.get(id);
            if (vdi == null) throw ApiError.of("IMPORT_ERROR", "the package holds data for " + id + ", which ova.xml does not name as a VDI");
            if (!done.add(id)) throw ApiError.of("IMPORT_ERROR", "the chunks of " + id + " are not together");
            long size = Long.parseLong(String.valueOf(calls.call("VDI.get_virtual_size", vdi)));
            streams.fill(VDI.CLASS.ref(vdi), share(task, done.size() - 1, disks.size()), target -> new DiskChunks(tar, id, size).copy(target));
        }
        for (var d : disks.keySet()) {
            if (!done.contains(d)) throw ApiError.of("IMPORT_ERROR", "ova.xml names disk " + d + ", which the package does not hold");
        }
    }

    /** The task as the {@code index}th of {@code count} disks sees it: its progress is that disk's share of the whole. */
    private static TaskContext share(TaskContext task, int index, int count) {
        return new TaskContext() {
            @Override public Ref<Task> ref() { return task.ref(); }
            @Override public void progress(double fraction) { task.progress((index + fraction) / count); }
            @Override public void checkCancelled() { task.checkCancelled(); }
        };
    }

    /** One disk's entries: chunks in increasing order, each optionally followed by its checksum. */
    private record DiskChunks(TarReader tar, String id, long size) {
        long copy(VhdImport.Target disk) throws IOException {
            byte[] buf = new byte[XvaExport.CHUNK];
            byte[] sum = new byte[128];
            MessageDigest sha1 = XvaExport.sha1();
            long last = -1;
            String lastSha1 = null;
            long lastXxh = 0;
            long written = 0;
            TarReader.Entry e;
            while ((e = tar.peek()) != null) {
                Matcher m = CHUNK.matcher(e.name());
                if (!m.matches() || !m.group(1).equals(id)) break;
                tar.next();
                long n = Long.parseLong(m.group(2));
                if (m.group(3) == null) {
                    if (n <= last) throw ApiError.of("IMPORT_ERROR", e.name() + " out of order");
                    long at = n * XvaExport.CHUNK;
                    if (e.size() > XvaExport.CHUNK || at + e.size() > size) {
                        throw ApiError.of("IMPORT_ERROR", e.name() + " (" + e.size() + " bytes) lies beyond the disk's " + size);
                    }
                    int len = tar.readAll(buf);
                    disk.write(at, buf, 0, len);
                    sha1.update(buf, 0, len);
                    lastSha1 = HexFormat.of().formatHex(sha1.digest());
                    lastXxh = Xxh64.hash(buf, 0, len);
                    last = n;
                    written += len;
                } else {
                    if (n != last) throw ApiError.of("IMPORT_ERROR", e.name() + " follows no chunk " + m.group(2));
                    if (e.size() > sum.length) throw ApiError.of("IMPORT_ERROR", e.name() + " is " + e.size() + " bytes");
                    String given = new String(sum, 0, tar.readAll(sum), StandardCharsets.US_ASCII).strip();
                    String read = m.group(3).equals(".checksum") ? lastSha1 : HexFormat.of().toHexDigits(lastXxh);
                    // an xxhash is written in either byte order: Xen Orchestra's writer notes OCaml's is the reverse of its
                    boolean right = given.equalsIgnoreCase(read)
                            || (m.group(3).equals(".xxhash") && given.equalsIgnoreCase(HexFormat.of().toHexDigits(Long.reverseBytes(lastXxh))));
                    if (!right) throw ApiError.of("IMPORT_ERROR", "checksum failed on " + e.name() + ": " + given + " given, " + read + " read");
                }
            }
            return written;
        }
    }

    /** A compressed XVA is read through gunzip (XAPI's use_compression=true) or zstd (use_compression=zstd), found by its magic. */
    private static InputStream uncompressed(InputStream body) throws IOException {
        // closing what this returns leaves the body open: a refused package's body is read to its end after
        var in = new BufferedInputStream(new java.io.FilterInputStream(body) {
            @Override public void close() {}
        }, 1 << 16);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return new GZIPInputStream(in, 1 << 16);
        if (Zstd.isFrame(magic)) return Zstd.decompressing(in);
        return in;
    }

    /** The client's stream, whose failures (gone, cut short) are the import's IMPORT_ERROR_PREMATURE_EOF. */
    private static final class ClientBody extends InputStream {
        private final InputStream in;

        ClientBody(InputStream in) { this.in = in; }

        @Override public int read() {
            try { return in.read(); } catch (IOException e) { throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF"); }
        }

        @Override public int read(byte[] b, int off, int len) {
            try { return in.read(b, off, len); } catch (IOException e) { throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF"); }
        }
    }
}

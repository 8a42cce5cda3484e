package org.flotilla.vm;

import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.xml.parsers.DocumentBuilderFactory;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;
import org.flotilla.storage.Storage;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * VM.clone, VM.copy, VM.snapshot, VM.revert and VM.provision, as XAPI's xapi_vm_clone.ml,
 * xapi_vm_snapshot.ml and xapi_templates.ml do them: disks first (through the storage subsystem, undone
 * if a later step fails), then every record of the new VM in one transaction.
 */
public final class VmCloner {
    /** other_config keys of templates (xapi_templates.ml, Xapi_globs). */
    public static final String DISKS_KEY = "disks";
    static final String POSTINSTALL_KEY = "postinstall";
    static final String BASE_TEMPLATE_NAME = "base_template_name";
    /** VBD other_config key: the VM owns the disk (Constants.owner_key). */
    static final String OWNER_KEY = "owner";

    enum DiskOp { CLONE, COPY, SNAPSHOT }

    private final Database db;
    private final Storage storage;
    private final VmOperations ops;
    private final VmRecords vms;
    private final VbdRecords vbds;

    public VmCloner(Database db, Storage storage, VmOperations ops, VmRecords vms, VbdRecords vbds) {
        this.db = db;
        this.storage = storage;
        this.ops = ops;
        this.vms = vms;
        this.vbds = vbds;
    }

    public void register(Handlers h) {
        h.on("VM", "clone", c -> cloneVm(c.ref("vm"), c.string("new_name"), DiskOp.CLONE, null, List.of(), c.task()))
         .on("VM", "copy", c -> {
             String sr = c.ref("sr");
             if (!Refs.isNull(sr) && "iso".equals(db.require("SR", sr).string("content_type"))) {
                 throw ApiError.of("OPERATION_NOT_ALLOWED", "Cannot copy a VM's disks to an ISO SR");
             }
             return cloneVm(c.ref("vm"), c.string("new_name"), DiskOp.COPY, Refs.isNull(sr) ? null : sr, List.of(), c.task());
         })
         .on("VM", "snapshot", c -> cloneVm(c.ref("vm"), c.string("new_name"), DiskOp.SNAPSHOT, null, c.set("ignore_vdis"), c.task()))
         .on("VM", "revert", c -> { revert(c.ref("snapshot"), c.task()); return null; })
         .on("VM", "provision", c -> { provision(c.ref("vm"), c.task()); return null; });
    }

    private record NewDisk(DbObject<?> vbd, String vdi, boolean delete) {}

    /** A task's progress from {@code from} to {@code to} as a sub-operation reports 0..1. */
    private static TaskContext slice(TaskContext task, double from, double to) {
        return new TaskContext() {
            @Override public Ref<Task> ref() { return task.ref(); }
            @Override public void progress(double f) { task.progress(from + (to - from) * Math.max(0, Math.min(1, f))); }
            @Override public void checkCancelled() { task.checkCancelled(); }
        };
    }

    /** The disks of the new VM: clones, full copies or snapshots of the VDIs; CDs shared, empty drives empty. */
    private List<NewDisk> disks(List<DbObject<?>> vbdList, DiskOp op, String sr, TaskContext task, double upTo) {
        long total = 0;
        for (DbObject<?> b : vbdList) total += size(b);
        var out = new ArrayList<NewDisk>();
        long done = 0;
        try {
            for (DbObject<?> b : vbdList) {
                task.checkCancelled();
                long s = size(b);
                double from = total == 0 ? 0 : upTo * done / total;
                double to = total == 0 ? 0 : upTo * (done + s) / total;
                if (b.bool("empty")) {
                    out.add(new NewDisk(b, ClassDef.NULL_REF, false));
                } else if (b.string("type").equals("CD")) {
                    out.add(new NewDisk(b, b.string("VDI"), false));
                } else {
                    String vdi = b.string("VDI");
                    String copy = switch (op) {
                        case CLONE -> storage.cloneVdi(vdi);
                        case SNAPSHOT -> storage.snapshotVdi(vdi);
                        case COPY -> storage.copyVdi(vdi, sr != null ? sr : db.require("VDI", vdi).string("SR"), ClassDef.NULL_REF,
                                slice(task, from, to));
                    };
                    out.add(new NewDisk(b, copy, true));
                }
                done += s;
                task.progress(to);
            }
            return out;
        } catch (RuntimeException e) {
            deleteDisks(out);
            throw e;
        }
    }

    private long size(DbObject<?> vbd) {
        DbObject<?> vdi = db.get("VDI", vbd.string("VDI"));
        return vdi == null || vbd.bool("empty") ? 0 : vdi.integer("virtual_size");
    }

    private void deleteDisks(List<NewDisk> disks) {
        for (NewDisk d : disks) {
            if (!d.delete()) continue;
            try {
                storage.destroyVdi(d.vdi());
            } catch (RuntimeException ignored) {
                // best effort, as XAPI's delete_disks
            }
        }
    }

    /** VM.clone / VM.copy / VM.snapshot (xapi_vm_clone.clone). */
    public String cloneVm(String vmRef, String newName, DiskOp op, String sr, List<String> ignoreVdis, TaskContext task) {
        DbObject<?> vm = db.require("VM", vmRef);
        String opName = op.name().toLowerCase(java.util.Locale.ROOT);
        ops.error(vm, opName).ifPresent(e -> { throw e; });
        task.progress(0);
        boolean snapshot = op == DiskOp.SNAPSHOT;
        var vbdList = new ArrayList<DbObject<?>>();
        for (String b : db.related("VM", "VBDs", vmRef)) {
            DbObject<?> vbd = db.get("VBD", b);
            if (vbd != null && !(snapshot && ignoreVdis.contains(vbd.string("VDI")))) vbdList.add(vbd);
        }
        List<NewDisk> disks = disks(vbdList, op, sr, task, 0.9);
        try {
            String ref = Refs.newRef();
            db.write(tx -> {
                DbObject<?> src = db.require("VM", vmRef);
                var f = newVmRecord(tx, src, newName, snapshot);
                f.put("allowed_operations", ops.allowed(new DbObject<>("VM", ref, f, 0, 0)));
                tx.put("VM", ref, f);
                if (snapshot) tx.set("VM", vmRef, "parent", ref);
                for (NewDisk d : disks) {
                    String vbd = VbdRecords.copy(tx, d.vbd(), ref, d.vdi());
                    if (d.vbd().string("type").equals("Disk")) {
                        var oc = new LinkedHashMap<String, String>(d.vbd().map("other_config"));
                        if (!oc.containsKey(OWNER_KEY)) {
                            oc.put(OWNER_KEY, "");
                            tx.set("VBD", vbd, "other_config", Collections.unmodifiableMap(oc));
                        }
                    }
                }
                for (String vif : db.related("VM", "VIFs", vmRef)) copyVif(tx, db.require("VIF", vif), ref, snapshot);
                for (String vtpm : db.related("VM", "VTPMs", vmRef)) copyVtpm(tx, db.require("VTPM", vtpm), ref);
            });
            task.progress(1);
            return ref;
        } catch (RuntimeException e) {
            deleteDisks(disks);
            throw e;
        }
    }

    /**
     * A copy of the VTPM for the new VM, with a secret of its own (xapi_vtpm.copy): holding the same contents,
     * or none for a unique VTPM, whose contents must never exist twice.
     */
    private void copyVtpm(Database.Tx tx, DbObject<?> vtpm, String vmRef) {
        DbObject<?> secret = Refs.isNull(vtpm.string("contents")) ? null : db.get("secret", vtpm.string("contents"));
        String contents = Refs.newRef();
        tx.put("secret", contents, Map.of("uuid", Refs.newUuid(), "value", vtpm.bool("is_unique") || secret == null ? "" : secret.string("value"),
                "other_config", secret == null ? Map.of() : secret.map("other_config")));
        var t = new LinkedHashMap<>(vtpm.fields());
        t.put("uuid", Refs.newUuid());
        t.put("VM", vmRef);
        t.put("contents", contents);
        tx.put("VTPM", Refs.newRef(), t);
    }

    /** The new VM's record (xapi_vm_clone.copy_vm_record), its metrics staged in {@code tx}. */
    private Map<String, Object> newVmRecord(Database.Tx tx, DbObject<?> src, String newName, boolean snapshot) {
        var f = new LinkedHashMap<String, Object>(src.fields());
        var oc = new LinkedHashMap<String, String>(src.map("other_config"));
        if (!snapshot) oc.put(VmRecords.MAC_SEED, Refs.newUuid());
        oc.remove(VmLifecycle.DEFAULT_TEMPLATE_KEY);
        oc.remove("xensource_internal");
        if (src.bool("is_a_template") && !oc.containsKey(BASE_TEMPLATE_NAME)) oc.put(BASE_TEMPLATE_NAME, src.string("name_label"));
        String metrics = Refs.newRef();
        DbObject<?> m = db.get("VM_metrics", src.string("metrics"));
        var mf = new LinkedHashMap<String, Object>(m == null ? VmRecords.newMetrics(false) : m.fields());
        mf.put("uuid", Refs.newUuid());
        tx.put("VM_metrics", metrics, mf);
        String guestMetrics = ClassDef.NULL_REF;
        DbObject<?> gm = db.get("VM_guest_metrics", src.string("guest_metrics"));
        if (gm != null) {
            guestMetrics = Refs.newRef();
            var gf = new LinkedHashMap<>(gm.fields());
            gf.put("uuid", Refs.newUuid());
            tx.put("VM_guest_metrics", guestMetrics, gf);
        }
        f.put("uuid", Refs.newUuid());
        f.put("name_label", newName);
        f.put("power_state", "Halted");
        f.put("allowed_operations", List.of());
        f.put("current_operations", Map.of());
        f.put("blocked_operations", Map.of());
        f.put("is_a_template", snapshot || src.bool("is_a_template"));
        f.put("is_default_template", false);
        f.put("is_a_snapshot", snapshot);
        f.put("snapshot_of", snapshot ? src.ref() : ClassDef.NULL_REF);
        f.put("snapshot_time", snapshot ? Instant.now() : Instant.EPOCH);
        f.put("snapshot_info", snapshot ? Map.of("disk-snapshot-type", "crash_consistent",
                "power-state-at-snapshot", src.string("power_state")) : Map.of());
        f.put("snapshot_metadata", "");
        f.put("transportable_snapshot_id", "");
        f.put("parent", snapshot ? src.string("parent") : ClassDef.NULL_REF);
        f.put("resident_on", ClassDef.NULL_REF);
        f.put("scheduled_to_be_resident_on", ClassDef.NULL_REF);
        f.put("suspend_VDI", ClassDef.NULL_REF);
        f.put("other_config", Collections.unmodifiableMap(oc));
        f.put("domid", -1L);
        f.put("domarch", "");
        f.put("metrics", metrics);
        f.put("guest_metrics", guestMetrics);
        f.put("blobs", Map.of());
        f.put("ha_always_run", false);
        f.put("protection_policy", ClassDef.NULL_REF);
        f.put("snapshot_schedule", ClassDef.NULL_REF);
        f.put("is_vmss_snapshot", false);
        f.put("appliance", ClassDef.NULL_REF);
        f.put("start_delay", 0L);
        f.put("shutdown_delay", 0L);
        f.put("order", 0L);
        f.put("suspend_SR", ClassDef.NULL_REF);
        f.put("version", 0L);
        f.put("generation_id", freshGenerationId(src.string("generation_id")));
        f.put("requires_reboot", false);
        f.put("attached_PCIs", List.of());
        for (String g : List.of("pending_guidances", "pending_guidances_recommended", "pending_guidances_full")) f.put(g, List.of());
        return f;
    }

    /** Xapi_vm_helpers.fresh_genid: a VM without a generation id keeps none, others get a new random one. */
    static String freshGenerationId(String current) {
        if (current == null || current.isEmpty()) return "";
        var r = ThreadLocalRandom.current();
        return Long.toUnsignedString(r.nextLong() >>> 1) + ":" + Long.toUnsignedString(r.nextLong() >>> 1);
    }

    /** A detached copy of a VIF for {@code vmRef}; a snapshot keeps the MAC, other copies get a new one. */
    private void copyVif(Database.Tx tx, DbObject<?> vif, String vmRef, boolean preserveMac) {
        var f = new LinkedHashMap<String, Object>(vif.fields());
        String metrics = Refs.newRef();
        f.put("uuid", Refs.newUuid());
        f.put("VM", vmRef);
        f.put("currently_attached", false);
        f.put("current_operations", Map.of());
        f.put("status_code", 0L);
        f.put("status_detail", "");
        f.put("runtime_properties", Map.of());
        if (!preserveMac) {
            f.put("MAC", randomMac());
            f.put("MAC_autogenerated", true);
        }
        if (db.model().classDef("VIF").hasField("metrics")) {
            tx.put("VIF_metrics", metrics, Map.of("uuid", Refs.newUuid()));
            f.put("metrics", metrics);
        }
        tx.put("VIF", Refs.newRef(), f);
    }

    /** A random locally administered unicast MAC, in XAPI's lowercase colon form. */
    static String randomMac() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfc) | 0x02);
        var sb = new StringBuilder();
        for (int i = 0; i < 6; i++) sb.append(i == 0 ? "" : ":").append(String.format("%02x", b[i] & 0xff));
        return sb.toString();
    }

    // ---- revert -----------------------------------------------------------------------------------

    /** Fields a revert leaves as they are on the VM (xapi_vm_snapshot.extended_do_not_copy). */
    private static final List<String> KEPT_ON_REVERT = List.of("uuid", "suspend_VDI", "power_state", "parent",
            "current_operations", "allowed_operations", "metrics", "guest_metrics", "resident_on", "domid", "protection_policy",
            "snapshot_schedule", "scheduled_to_be_resident_on", "tags", "affinity", "attached_PCIs", "name_label",
            "is_a_snapshot", "is_a_template", "is_default_template", "snapshot_of", "snapshot_time", "transportable_snapshot_id",
            "blocked_operations", "ha_always_run");

    /**
     * VM.revert: the VM's disks that the snapshot holds snapshots of are replaced by clones of those
     * snapshots (the old VDIs destroyed), other disks detached but kept; CDs, VIFs and settings as in the
     * snapshot. The VM must be halted (the runtime shuts it down first).
     */
    public void revert(String snapshotRef, TaskContext task) {
        DbObject<?> snap = db.require("VM", snapshotRef);
        ops.error(snap, "revert").ifPresent(e -> { throw e; });
        DbObject<?> vm = db.get("VM", snap.string("snapshot_of"));
        if (vm == null) throw ApiError.of("VM_REVERT_FAILED", snapshotRef, snap.string("snapshot_of"));
        if (!vm.string("power_state").equals("Halted")) {
            throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(), "halted", VmLifecycle.lower(vm.string("power_state")));
        }
        var snapVbds = new ArrayList<DbObject<?>>();
        for (String b : db.related("VM", "VBDs", snapshotRef)) snapVbds.add(db.require("VBD", b));
        var replaced = new java.util.HashSet<String>();
        for (DbObject<?> b : snapVbds) {
            DbObject<?> vdi = db.get("VDI", b.string("VDI"));
            if (b.string("type").equals("Disk") && vdi != null) replaced.add(vdi.string("snapshot_of"));
        }
        List<NewDisk> disks = disks(snapVbds, DiskOp.CLONE, null, task, 0.8);
        var oldVdis = new ArrayList<String>();
        try {
            db.write(tx -> {
                for (String b : db.related("VM", "VBDs", vm.ref())) {
                    DbObject<?> vbd = db.require("VBD", b);
                    if (vbd.bool("currently_attached")) throw ApiError.of("VM_REVERT_FAILED", snapshotRef, vm.ref());
                    if (vbd.string("type").equals("Disk") && replaced.contains(vbd.string("VDI"))) oldVdis.add(vbd.string("VDI"));
                    String m = vbd.string("metrics");
                    if (db.get("VBD_metrics", m) != null) tx.delete("VBD_metrics", m);
                    tx.delete("VBD", b);
                }
                for (NewDisk d : disks) VbdRecords.copy(tx, d.vbd(), vm.ref(), d.vdi());
                for (String vif : db.related("VM", "VIFs", vm.ref())) {
                    String m = db.require("VIF", vif).string("metrics");
                    if (db.get("VIF_metrics", m) != null) tx.delete("VIF_metrics", m);
                    tx.delete("VIF", vif);
                }
                for (String vif : db.related("VM", "VIFs", snapshotRef)) copyVif(tx, db.require("VIF", vif), vm.ref(), true);
                // XAPI's update_vtpm: the VM's VTPMs make way for copies of the snapshot's, which must stay as taken
                for (String vtpm : db.related("VM", "VTPMs", vm.ref())) {
                    String secret = db.require("VTPM", vtpm).string("contents");
                    if (!Refs.isNull(secret) && db.get("secret", secret) != null) tx.delete("secret", secret);
                    tx.delete("VTPM", vtpm);
                }
                for (String vtpm : db.related("VM", "VTPMs", snapshotRef)) copyVtpm(tx, db.require("VTPM", vtpm), vm.ref());
                var after = new LinkedHashMap<String, Object>();
                snap.fields().forEach((k, v) -> { if (!KEPT_ON_REVERT.contains(k) && !v.equals(vm.get(k))) after.put(k, v); });
                after.put("parent", snapshotRef);
                after.forEach((k, v) -> tx.set("VM", vm.ref(), k, v));
                ops.refresh(tx, vm.ref(), after);
            });
        } catch (RuntimeException e) {
            deleteDisks(disks);
            if (e instanceof ApiError a && (a.code().equals("VM_REVERT_FAILED") || a.code().startsWith("SR_"))) throw a;
            throw ApiError.of("VM_REVERT_FAILED", snapshotRef, vm.ref());
        }
        for (String vdi : oldVdis) {
            try {
                if (db.related("VDI", "VBDs", vdi).isEmpty()) storage.destroyVdi(vdi);
            } catch (RuntimeException ignored) {
                // the VM is reverted; a disk left behind is only space
            }
        }
        task.progress(1);
    }

    // ---- provision --------------------------------------------------------------------------------

    /** One entry of other_config:disks (xapi_templates.ml's disk record). */
    record DiskSpec(String device, long size, String sr, boolean bootable, String type) {}

    /** Parses {@code <provision><disk device="0" size="…" sr="" bootable="true" type="system"/>…</provision>}. */
    static List<DiskSpec> parseDisks(String xml) {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            var doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
            Element root = doc.getDocumentElement();
            if (!root.getTagName().equals("provision") || root.getAttributes().getLength() != 0) throw new IllegalArgumentException("not <provision>");
            var out = new ArrayList<DiskSpec>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeType() == Node.TEXT_NODE && n.getTextContent().isBlank()) continue;
                if (!(n instanceof Element e) || !e.getTagName().equals("disk") || e.hasChildNodes()) throw new IllegalArgumentException("not <disk/>");
                for (String a : List.of("device", "size", "sr", "bootable")) if (!e.hasAttribute(a)) throw new IllegalArgumentException("no " + a);
                String type = e.getAttribute("type");
                if (!List.of("system", "user", "ephemeral", "suspend", "crashdump").contains(type)) type = "system";
                out.add(new DiskSpec(e.getAttribute("device"), Long.parseLong(e.getAttribute("size")), e.getAttribute("sr"),
                        e.getAttribute("bootable").equals("true"), type));
            }
            return out;
        } catch (Exception e) {
            throw ApiError.internal("cannot parse other_config:disks: " + e.getMessage());
        }
    }

    /** The provisioning XML for {@code disks} in the form the template tools write (attribute order as theirs). */
    static String disksXml(List<DiskSpec> disks) {
        var sb = new StringBuilder("<provision>");
        for (DiskSpec d : disks) {
            sb.append("<disk size=\"").append(d.size()).append("\" sr=\"").append(d.sr()).append("\" bootable=\"")
              .append(d.bootable()).append("\" type=\"").append(d.type()).append("\" device=\"").append(d.device()).append("\"/>");
        }
        return sb.append("</provision>").toString();
    }

    /** The SR an entry names: a uuid, else a unique name, else (empty) the pool's default SR. */
    private String resolveSr(String sr) {
        if (sr.isEmpty()) {
            String def = db.all("pool").stream().map(p -> p.string("default_SR")).findFirst().orElse(ClassDef.NULL_REF);
            if (db.get("SR", def) == null) throw ApiError.of("DEFAULT_SR_NOT_FOUND", def);
            return def;
        }
        var byUuid = db.refByUuid("SR", sr);
        if (byUuid.isPresent()) return byUuid.get();
        List<DbObject<?>> named = db.where("SR", s -> sr.equals(s.get("name_label")));
        if (named.size() == 1) return named.getFirst().ref();
        throw ApiError.of("UUID_INVALID", "sr", sr);
    }

    /**
     * VM.provision (xapi_vm.provision): clears is_a_template, then makes each disk of other_config:disks
     * (VDI named after its device, VBD owned by the VM) and removes the install keys. What it made is
     * destroyed again if any disk fails.
     */
    public void provision(String vmRef, TaskContext task) {
        DbObject<?> vm = db.require("VM", vmRef);
        ops.error(vm, "provision").ifPresent(e -> { throw e; });
        vms.setIsATemplate(vmRef, false);
        Map<String, String> oc = db.require("VM", vmRef).map("other_config");
        String xml = oc.get(DISKS_KEY);
        if (xml == null && !oc.containsKey(POSTINSTALL_KEY)) return;
        List<DiskSpec> specs = xml == null ? List.of() : parseDisks(xml);
        task.progress(0.1);
        var made = new ArrayList<String[]>();
        try {
            int i = 0;
            for (DiskSpec d : specs) {
                task.checkCancelled();
                String sr = resolveSr(d.sr());
                var args = new LinkedHashMap<String, Object>();
                args.put("name_label", "");
                args.put("name_description", "Created by template provisioner");
                args.put("SR", sr);
                args.put("virtual_size", d.size());
                args.put("type", d.type());
                args.put("sharable", false);
                args.put("read_only", false);
                args.put("sm_config", Map.of("vmhint", vm.uuid()));
                String vdi = storage.createVdi(args);
                String[] pair = {null, vdi};
                made.add(pair);
                var vbd = new LinkedHashMap<String, Object>();
                vbd.put("VM", vmRef);
                vbd.put("VDI", vdi);
                vbd.put("userdevice", d.device());
                vbd.put("bootable", d.bootable());
                vbd.put("mode", "RW");
                vbd.put("type", "Disk");
                vbd.put("unpluggable", !d.type().equals("system"));
                vbd.put("empty", false);
                vbd.put("other_config", Map.of(OWNER_KEY, ""));
                pair[0] = vbds.create(vbd);
                String device = db.require("VBD", pair[0]).string("userdevice");
                db.write(tx -> tx.set("VDI", vdi, "name_label", device));
                task.progress(0.1 + 0.8 * ++i / specs.size());
            }
        } catch (RuntimeException e) {
            for (String[] p : made) {
                try {
                    if (p[0] != null) vbds.destroy(p[0]);
                    storage.destroyVdi(p[1]);
                } catch (RuntimeException ignored) {
                    // best effort, as XAPI
                }
            }
            throw e;
        }
        db.write(tx -> {
            var now = new LinkedHashMap<String, String>(db.require("VM", vmRef).map("other_config"));
            if (now.remove(DISKS_KEY) != null | now.remove(POSTINSTALL_KEY) != null) {
                tx.set("VM", vmRef, "other_config", Collections.unmodifiableMap(now));
            }
        });
        task.progress(1);
    }
}

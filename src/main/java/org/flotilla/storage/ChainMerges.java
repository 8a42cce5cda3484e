package org.flotilla.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * Merges a base copy B into its only child C, so that chains left by destroyed snapshots shrink again (XAPI's SM does
 * it in cleanup.py: a hidden VDI with a single child is coalesced with it). C keeps its uuid and its file name; B's
 * record and file go. Rules, checked under the SR's lock:
 * <ul>
 * <li>B is a base copy (managed=false) and exactly one record names it as its parent, C, which has an image of its
 *     own (not a cbt_metadata VDI: a destroyed snapshot's tracking reads B's layer, see {@link ChangedBlocks}), and
 *     exactly one image header of the SR names B, C's; nor is C a snapshot with changed-block tracking. A base with two
 *     children is never merged: each child's view rests on B's bytes as they are.</li>
 * <li>Offline, when no VM but a halted one has a disk of C's subtree: {@code qemu-img commit} of C into B (the
 *     child's clusters, usually the few written since the snapshot), then B renamed over C's name. Until the rename C
 *     is untouched and its view (C over B) unchanged, since C shadows every cluster the commit writes into B; the
 *     rename is atomic. Headers keep naming plain files of the SR: B's names B's parent.</li>
 * <li>Online, when C is the top image of a disk a VM runs with on this host (on a shared SR, on any member, whose
 *     QEMU the coordinator has stream, {@link StreamElsewhere}): QEMU's {@code block-stream} pulls B's
 *     clusters into C under the running guest, then writes B's parent into C's header ({@link OnlineDisks#stream}).
 *     QEMU only writes an image it already has open read-write; a commit would need B reopened read-write, a
 *     descriptor the daemon never gave it.</li>
 * </ul>
 * The intent is written first, sm_config:{@value #INTENT} of B naming C, so that after a crash {@link #settle} finds
 * what was done from C's header: naming B's parent, the merge is finished (records, then B unlinked); naming B, it is
 * rolled back (C is intact; B was only ever read through C). The SR's lock is held throughout, and for an offline merge
 * the chain lock too, which VM starts wait for ({@link SrLocks#attaching}): nothing attaches a chain while it is rewritten.
 */
final class ChainMerges {
    private static final System.Logger LOG = System.getLogger(ChainMerges.class.getName());
    /** B's sm_config key while it is being merged: the location of the child it is merged with. */
    static final String INTENT = "coalesce-into";

    /** Points between the steps of a merge, where a test stops the collector as a kill would. */
    enum Step { INTENT_RECORDED, COMMITTED, RENAMED, STREAMING }

    private final Database db;
    private final Ref<Host> host;
    private final VdiLayers layers;
    private final QemuImg qemu;
    private final SrSpace space;
    private final Supplier<OnlineDisks> online;
    private volatile StreamElsewhere elsewhere = StreamElsewhere.NONE;
    private volatile Consumer<Step> stepHook = s -> { };

    ChainMerges(Database db, Ref<Host> host, VdiLayers layers, QemuImg qemu, SrSpace space, Supplier<OnlineDisks> online) {
        this.db = db;
        this.host = host;
        this.layers = layers;
        this.qemu = qemu;
        this.space = space;
        this.online = online;
    }

    void setStepHook(Consumer<Step> hook) { stepHook = hook == null ? s -> { } : hook; }

    void setStreamElsewhere(StreamElsewhere e) { elsewhere = e == null ? StreamElsewhere.NONE : e; }

    /** A base copy and its only child, and how the merge can be done now. */
    record Pair(DbObject<VDI> base, DbObject<VDI> child, Ref<VBD> runningVbd) {
        boolean online() { return runningVbd != null; }
    }

    /** The first pair of the SR that can be merged now, or null; {@code skip} holds bases not to try again. */
    Pair next(Ref<SR> sr, SrDriver d, SrStore dir, List<String> skip) {
        List<DbObject<VDI>> vdis = db.referring(VDI.SR, sr);
        if (vdis.stream().allMatch(v -> v.get(VDI.managed))) return null; // no base copy: no header need be read
        Map<String, List<DbObject<VDI>>> children = childrenByParent(vdis);
        Map<String, Integer> named = BackingNames.counts(dir);
        for (DbObject<VDI> b : vdis) {
            String location = b.get(VDI.location);
            if (b.get(VDI.managed) || skip.contains(location) || b.get(VDI.sm_config).containsKey(INTENT)) continue;
            List<DbObject<VDI>> kids = children.getOrDefault(location, List.of());
            if (kids.size() != 1 || named.getOrDefault(location, 0) != 1) continue;
            DbObject<VDI> c = kids.getFirst();
            if (c.get(VDI.type) == VdiType.cbt_metadata || tracked(c) || !c.get(VDI.current_operations).isEmpty()) continue;
            if (!headerNames(dir, d.fileName(c.get(VDI.location)), d.fileName(location))) continue;
            Use use = use(c, subtree(c, children));
            if (use == Use.BUSY) continue;
            Ref<VBD> vbd = use == Use.IDLE ? null : runningVbd(c, shared(sr));
            long needed = dir.sizeOf(d.fileName((vbd == null ? c : b).get(VDI.location)));
            try {
                if (dir.space().free() < needed + (64L << 20)) continue;
            } catch (IOException e) {
                continue;
            }
            return new Pair(b, c, vbd);
        }
        return null;
    }

    /**
     * Merges the pair, under the SR's lock (offline, under its chain lock too); failures come out as API errors, the
     * merge rolled back, unless QEMU may still be streaming (its VM still runs here): then the intent stays for the
     * next pass to take up, lest QEMU finish a job whose merge was rolled back.
     */
    void merge(Ref<SR> sr, SrDriver d, SrStore dir, Pair p) {
        Ref<VDI> b = p.base().self(VDI.CLASS);
        String bFile = d.fileName(p.base().get(VDI.location));
        String cFile = d.fileName(p.child().get(VDI.location));
        String parent = VdiRecords.parentOf(p.base());
        var sm = new LinkedHashMap<>(p.base().get(VDI.sm_config));
        sm.put(INTENT, p.child().get(VDI.location));
        db.write(tx -> tx.set(b, VDI.sm_config, sm));
        stepHook.accept(Step.INTENT_RECORDED);
        try {
            if (p.online()) {
                stream(d, p, () -> stepHook.accept(Step.STREAMING));
            } else {
                qemu.commit(layers.of(p.child(), d, dir).attachment());
                stepHook.accept(Step.COMMITTED);
                dir.rename(bFile, cFile);
                stepHook.accept(Step.RENAMED);
            }
        } catch (IOException | RuntimeException e) {
            settleUnlessStreaming(sr, d, dir, b);
            throw e instanceof ApiError a ? a : ApiError.of("SR_BACKEND_FAILURE", "1", "", "merging " + bFile + " into " + cFile + ": " + e);
        }
        if (!settle(sr, d, dir, db.require(b), false)) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", cFile + " does not name " + Objects.requireNonNullElse(parent, "no image") + " after the merge");
        }
    }

    /**
     * Every merge the SR's records show begun (sm_config:{@value #INTENT}) finished or rolled back, by C's header, but one
     * whose child a VM still runs with: that one the collector takes up again ({@link #resume}), as QEMU's job may still
     * be running, with this host's QEMU or, on a shared SR, that of the member running the VM. Under the SR's lock: the
     * first thing a collector pass does, and a scan of an SR only this host writes.
     */
    void recover(Ref<SR> sr, SrDriver d, SrStore dir) {
        for (DbObject<VDI> b : db.referring(VDI.SR, sr)) {
            if (!b.get(VDI.sm_config).containsKey(INTENT)) continue;
            DbObject<VDI> c = child(sr, b);
            if (c != null && runningWith(c) != null && !finished(d, dir, b, c)) continue;
            settle(sr, d, dir, b, true);
        }
    }

    /**
     * The begun merges whose child a VM runs with, nothing else under way on it, to take up again online: here, or, on a
     * shared SR, on any member.
     */
    List<Pair> begunOnline(Ref<SR> sr) {
        var out = new ArrayList<Pair>();
        for (DbObject<VDI> b : db.referring(VDI.SR, sr)) {
            if (!b.get(VDI.sm_config).containsKey(INTENT)) continue;
            DbObject<VDI> c = child(sr, b);
            Ref<VBD> vbd = c == null ? null : runningVbd(c, shared(sr));
            if (vbd != null) out.add(new Pair(b, c, vbd));
        }
        return out;
    }

    /** Resumes a begun online merge: the intent is there already. */
    void resume(Ref<SR> sr, SrDriver d, SrStore dir, Pair p) {
        Ref<VDI> b = p.base().self(VDI.CLASS);
        try {
            stream(d, p, () -> { });
        } catch (RuntimeException e) {
            settleUnlessStreaming(sr, d, dir, b);
            throw e;
        }
        settle(sr, d, dir, db.require(b), false);
    }

    /**
     * QEMU's stream of B into C, the running VM's top, C's header then naming B's parent: by this host's QEMU, or by the
     * member's that runs the VM, asked through the API ({@link StreamElsewhere}).
     */
    private void stream(SrDriver d, Pair p, Runnable started) {
        Ref<Host> runsOn = db.require(db.require(p.runningVbd()).get(VBD.VM)).get(VM.resident_on);
        if (!host.equals(runsOn)) {
            started.run();
            elsewhere.stream(runsOn, p.child().uuid());
            return;
        }
        String parent = VdiRecords.parentOf(p.base());
        online.get().stream(p.child().self(VDI.CLASS), p.runningVbd(), parent == null ? null : d.fileName(parent), started);
    }

    /**
     * On the member a VM runs on, asked by the coordinator ({@link StreamElsewhere}): streams C's parent B into C, the
     * running disk, if the records show that merge begun (B's intent names C) and C the disk of a VM running here.
     */
    void streamForCoordinator(Ref<SR> sr, SrDriver d, DbObject<VDI> c) {
        String location = c.get(VDI.location);
        String parentLocation = VdiRecords.parentOf(c);
        DbObject<VDI> b = parentLocation == null ? null : db.referring(VDI.SR, sr).stream()
                .filter(v -> v.get(VDI.location).equals(parentLocation) && location.equals(v.get(VDI.sm_config).get(INTENT))).findFirst().orElse(null);
        Ref<VBD> vbd = runningVbd(c, false);
        if (b == null || vbd == null) {
            throw ApiError.of("XENAPI_PLUGIN_FAILURE", "failure", "", "no merge into " + c.uuid() + " begun under a VM running here");
        }
        stream(d, new Pair(b, c, vbd), () -> stepHook.accept(Step.STREAMING));
    }

    private boolean shared(Ref<SR> sr) { return db.require(sr).get(SR.shared); }

    /** After a failure: settled, unless C's VM still runs (its QEMU may finish the job yet), for the next pass. */
    private void settleUnlessStreaming(Ref<SR> sr, SrDriver d, SrStore dir, Ref<VDI> b) {
        DbObject<VDI> now = db.require(b);
        DbObject<VDI> c = child(sr, now);
        if (c == null || runningWith(c) == null || finished(d, dir, now, c)) settle(sr, d, dir, now, false);
    }

    /**
     * Finishes the merge of B if C's header names B's parent already (C holds B's data, or is B renamed), else rolls it
     * back (the intent goes; C over B shows what it showed before). Returns whether it finished.
     */
    private boolean settle(Ref<SR> sr, SrDriver d, SrStore dir, DbObject<VDI> b, boolean log) {
        Ref<VDI> bRef = b.self(VDI.CLASS);
        DbObject<VDI> c = child(sr, b);
        if (c == null || !finished(d, dir, b, c)) {
            var sm = new LinkedHashMap<>(b.get(VDI.sm_config));
            sm.remove(INTENT);
            db.write(tx -> tx.set(bRef, VDI.sm_config, sm));
            if (log) LOG.log(System.Logger.Level.INFO, "SR " + sr.value() + ": merge of " + b.uuid() + " rolled back");
            return false;
        }
        String doomed = VdiRemoval.renameAway(dir, d.fileName(b.get(VDI.location)));
        Ref<VDI> cRef = c.self(VDI.CLASS);
        String cFile = d.fileName(c.get(VDI.location));
        db.write(tx -> {
            tx.set(cRef, VDI.sm_config, VdiRecords.withParent(c.get(VDI.sm_config), VdiRecords.parentOf(b)));
            tx.set(cRef, VDI.physical_utilisation, dir.sizeOf(cFile));
            tx.delete(bRef);
        });
        dir.deleteQuietly(doomed);
        space.refresh(sr, dir);
        if (log) LOG.log(System.Logger.Level.INFO, "SR " + sr.value() + ": merge of " + b.uuid() + " into " + c.uuid() + " finished");
        return true;
    }

    /** A snapshot whose tracking a backup tool reads: the layer it was taken on stays a layer of its own. */
    private static boolean tracked(DbObject<VDI> c) { return c.get(VDI.is_a_snapshot) && c.get(VDI.cbt_enabled); }

    /** Whether C's header names B's parent (none if B has none), as it does once B's data is in C's image. */
    private static boolean finished(SrDriver d, SrStore dir, DbObject<VDI> b, DbObject<VDI> c) {
        String parent = VdiRecords.parentOf(b);
        return headerNames(dir, d.fileName(c.get(VDI.location)), parent == null ? null : d.fileName(parent));
    }

    /** Whether {@code image} is there and its header names {@code backing} (null: none). */
    private static boolean headerNames(SrStore dir, String image, String backing) {
        try {
            Qcow2Header h = dir.header(image);
            return h.refusal() == null && Objects.equals(h.backingFile(), backing);
        } catch (IOException | Qcow2Header.Malformed e) {
            return false;
        }
    }

    /** The VDI the intent on B names, if it is still there. */
    private DbObject<VDI> child(Ref<SR> sr, DbObject<VDI> b) {
        String location = b.get(VDI.sm_config).get(INTENT);
        return db.referring(VDI.SR, sr).stream().filter(o -> o.get(VDI.location).equals(location)).findFirst().orElse(null);
    }

    private static Map<String, List<DbObject<VDI>>> childrenByParent(List<DbObject<VDI>> vdis) {
        var out = new HashMap<String, List<DbObject<VDI>>>();
        for (DbObject<VDI> v : vdis) {
            String p = VdiRecords.parentOf(v);
            if (p != null) out.computeIfAbsent(p, k -> new ArrayList<>()).add(v);
        }
        return out;
    }

    /** C and every VDI built on it, bounded as chains are. */
    private static List<DbObject<VDI>> subtree(DbObject<VDI> c, Map<String, List<DbObject<VDI>>> children) {
        var out = new ArrayList<DbObject<VDI>>();
        out.add(c);
        for (int i = 0; i < out.size() && out.size() < VdiLayers.MAX_LAYERS * 8; i++) {
            out.addAll(children.getOrDefault(out.get(i).get(VDI.location), List.of()));
        }
        return out;
    }

    private enum Use { IDLE, RUNNING, BUSY }

    /**
     * IDLE when every VBD of the subtree is a halted VM's with nothing under way; RUNNING when C alone is a disk, through
     * one VBD, of a VM running on this host (on a shared SR, on any member) with nothing else under way; otherwise BUSY,
     * to be tried again later.
     */
    private Use use(DbObject<VDI> c, List<DbObject<VDI>> subtree) {
        boolean idle = true;
        for (DbObject<VDI> v : subtree) {
            for (DbObject<VBD> vbd : db.referring(VBD.VDI, v.self(VDI.CLASS))) {
                DbObject<VM> vm = db.get(vbd.get(VBD.VM));
                if (vm == null) continue;
                boolean halted = vm.get(VM.power_state) == VmPowerState.Halted && vm.get(VM.current_operations).isEmpty()
                        && !vbd.get(VBD.currently_attached) && vbd.get(VBD.current_operations).isEmpty();
                idle &= halted;
            }
        }
        if (idle) return Use.IDLE;
        return subtree.size() == 1 && runningVbd(c, shared(c.get(VDI.SR))) != null ? Use.RUNNING : Use.BUSY;
    }

    /**
     * The one VBD through which a VM running on this host, or on any member when {@code anywhere}, with nothing else under
     * way, writes C; null if not so.
     */
    private Ref<VBD> runningVbd(DbObject<VDI> c, boolean anywhere) {
        DbObject<VBD> vbd = anywhere ? runningWith(c) : holder(c);
        if (vbd == null || !vbd.get(VBD.current_operations).isEmpty()) return null;
        return db.require(vbd.get(VBD.VM)).get(VM.current_operations).isEmpty() ? vbd.self(VBD.CLASS) : null;
    }

    /** The one VBD of C, if it is attached to a VM running on this host. */
    private DbObject<VBD> holder(DbObject<VDI> c) {
        DbObject<VBD> vbd = runningWith(c);
        return vbd != null && host.equals(db.require(vbd.get(VBD.VM)).get(VM.resident_on)) ? vbd : null;
    }

    /** The one VBD of C, if it is attached to a running VM on any host, whatever else is under way on it. */
    private DbObject<VBD> runningWith(DbObject<VDI> c) {
        List<DbObject<VBD>> vbds = db.referring(VBD.VDI, c.self(VDI.CLASS));
        if (vbds.size() != 1 || !c.get(VDI.managed)) return null;
        DbObject<VBD> vbd = vbds.getFirst();
        DbObject<VM> vm = db.get(vbd.get(VBD.VM));
        if (vm == null || !vbd.get(VBD.currently_attached)) return null;
        return vm.get(VM.power_state) == VmPowerState.Running ? vbd : null;
    }
}

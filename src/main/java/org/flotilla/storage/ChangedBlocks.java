package org.flotilla.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.OnBoot;
import org.flotilla.model.xenapi.enums.VdiOperations;
import org.flotilla.model.xenapi.enums.VdiType;

/**
 * Changed-block tracking as XAPI offers it (VDI.enable_cbt, disable_cbt, list_changed_blocks, data_destroy), read from
 * the chains {@link VdiChains} makes. Every snapshot freezes the disk's top image as a base copy and gives the disk a
 * new, empty overlay, so each image of a chain holds exactly the clusters written while it was the top: its own
 * allocation is the dirty bitmap of that interval, kept by QEMU's qcow2 driver itself, on disk, whatever writes it (a
 * VM's QEMU, qemu-img, an import). The blocks in which two disks of one chain differ are then those any image holds
 * that is in one's chain and not in the other's. This needs no bitmap kept in step with QEMU through snapshot, clone,
 * resize or migration, and it reads images a running VM's QEMU no longer writes; QEMU's persistent bitmaps would be
 * in memory, their image marked in use, until the VM lets the node go.
 */
public final class ChangedBlocks {
    /** XAPI's block: one bit of the bitmap for 64 KiB of the disk. */
    static final long BLOCK = 64 * 1024;
    /** The SM capability that CBT calls need, as XAPI's check of SM features. */
    static final String CAPABILITY = "VDI_CONFIG_CBT";
    /** What a VDI whose data is destroyed can still be asked (XAPI's operations allowed for a cbt_metadata VDI). */
    private static final List<VdiOperations> METADATA_OPERATIONS = List.of(VdiOperations.destroy, VdiOperations.forget,
            VdiOperations.data_destroy, VdiOperations.list_changed_blocks);

    private final Database db;
    private final QemuImg qemu;
    private final ManagedVdis managed;
    private final VdiRecords records;
    private final SrSpace space;

    ChangedBlocks(Database db, QemuImg qemu, ManagedVdis managed, VdiRecords records, SrSpace space) {
        this.db = db;
        this.qemu = qemu;
        this.managed = managed;
        this.records = records;
        this.space = space;
    }

    /** VDI.enable_cbt / disable_cbt: the flag, which the disk's snapshots inherit; idempotent as in XAPI. */
    public void setTracking(Ref<VDI> vdi, boolean on) {
        managed.change(vdi, open -> {
            DbObject<VDI> v = open.vdi();
            requireCapability(open);
            requireData(v);
            if (v.get(VDI.is_a_snapshot)) throw ApiError.of("OPERATION_NOT_ALLOWED", "VDI is a snapshot: " + vdi.value());
            VdiType type = v.get(VDI.type);
            if (type != VdiType.user && type != VdiType.system) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", vdi.value(), type.wire());
            if (v.get(VDI.on_boot) == OnBoot.reset) throw ApiError.of("VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION");
            if (v.get(VDI.cbt_enabled) != on) db.write(tx -> tx.set(vdi, VDI.cbt_enabled, on));
            return null;
        });
    }

    /**
     * VDI.data_destroy: the snapshot's own image goes, its record stays as type cbt_metadata, still naming the base copy
     * it was taken on (which the disk's chain keeps anyway): that is all list_changed_blocks needs of it.
     */
    public void dataDestroy(Ref<VDI> vdi) {
        managed.change(vdi, open -> {
            DbObject<VDI> v = open.vdi();
            requireCapability(open);
            if (v.get(VDI.type) == VdiType.cbt_metadata) return null;
            if (!v.get(VDI.is_a_snapshot)) throw ApiError.of("OPERATION_NOT_ALLOWED", "VDI is not a snapshot: " + vdi.value());
            if (!v.get(VDI.cbt_enabled)) throw ApiError.of("VDI_NO_CBT_METADATA", vdi.value());
            if (!records.activeVbds(vdi).isEmpty()) throw VdiRecords.inUse(vdi, VdiOperations.data_destroy);
            String location = v.get(VDI.location);
            if (db.referring(VDI.SR, open.sr()).stream().anyMatch(o -> location.equals(VdiRecords.parentOf(o)))) {
                throw ApiError.of("OPERATION_NOT_ALLOWED", "other disks are built on the data of " + vdi.value());
            }
            SrStore dir = open.dir();
            String doomed = VdiRemoval.renameAway(dir, open.image());
            db.write(tx -> {
                for (DbObject<VBD> b : db.referring(VBD.VDI, vdi)) tx.delete(b.self(VBD.CLASS));
                tx.set(vdi, VDI.type, VdiType.cbt_metadata);
                tx.set(vdi, VDI.physical_utilisation, 0L);
                tx.set(vdi, VDI.allowed_operations, METADATA_OPERATIONS);
            });
            dir.deleteQuietly(doomed);
            space.refresh(open.sr(), dir);
            return null;
        });
    }

    /** VDI.list_changed_blocks: XAPI's base64 bitmap over vdi_to's virtual size, the first block in the top bit of the first byte. */
    public String list(Ref<VDI> from, Ref<VDI> to) {
        return managed.change(to, open -> {
            requireCapability(open);
            DbObject<VDI> t = open.vdi();
            DbObject<VDI> f = db.require(from);
            if (!f.get(VDI.SR).equals(open.sr())) throw ApiError.of("VDI_MISSING", open.sr().value(), from.value());
            for (DbObject<VDI> v : List.of(f, t)) {
                if (!v.get(VDI.cbt_enabled)) throw ApiError.of("VDI_NO_CBT_METADATA", v.ref());
            }
            // vdi_to's top image must be one nobody writes; a VM snapshot's drives are let be, as in XAPI (a checkpoint marks them attached)
            if (records.activeVbds(to).stream().anyMatch(b -> !isSnapshotVm(b.get(VBD.VM)))) {
                throw VdiRecords.inUse(to, VdiOperations.list_changed_blocks);
            }
            byte[] bitmap = new byte[(int) ((blocks(t.get(VDI.virtual_size)) + 7) / 8)];
            mark(bitmap, differing(f, t, open));
            return Base64.getEncoder().encodeToString(bitmap);
        });
    }

    /**
     * The byte ranges in which {@code to} may differ from {@code from}, from their layers, whether CBT is on or not:
     * what an export relative to a base sends (XAPI's {@code /export_raw_vdi?base=}, whose vhd-tool compares the two
     * chains' VHD block tables the same way). Disks with no layer in common differ wherever either holds data. Empty
     * when the two are not in one SR whose driver keeps a layer per snapshot; the caller then compares allocation.
     */
    public Optional<List<long[]>> differing(Ref<VDI> from, Ref<VDI> to) {
        if (!db.require(from).get(VDI.SR).equals(db.require(to).get(VDI.SR))) return Optional.empty();
        return managed.change(to, open -> {
            if (!open.driver().capabilities().contains(CAPABILITY)) return Optional.empty();
            DbObject<VDI> f = db.require(from);
            requireData(f);
            requireData(open.vdi());
            return Optional.of(differing(f, open.vdi(), open));
        });
    }

    /** The ranges held by the images that are in one of the two chains and not in the other. */
    private List<long[]> differing(DbObject<VDI> from, DbObject<VDI> to, ManagedVdis.Open open) {
        SequencedSet<String> fromChain = chain(from, open);
        SequencedSet<String> toChain = chain(to, open);
        var images = new ArrayList<String>();
        for (String image : toChain) if (!fromChain.contains(image)) images.add(image);
        for (String image : fromChain) if (!toChain.contains(image)) images.add(image);
        var ranges = new ArrayList<long[]>();
        for (String image : images) ranges.addAll(qemu.ownRanges(open.dir(), checked(open.dir(), image)));
        return ranges;
    }

    /** The images of the VDI's chain by the SR's records, top first: its own unless its data is destroyed, then its base copies. */
    private SequencedSet<String> chain(DbObject<VDI> top, ManagedVdis.Open open) {
        var images = new LinkedHashSet<String>();
        Map<String, DbObject<VDI>> byLocation = new HashMap<>();
        for (DbObject<VDI> o : db.referring(VDI.SR, open.sr())) byLocation.put(o.get(VDI.location), o);
        if (top.get(VDI.type) != VdiType.cbt_metadata) images.add(open.driver().fileName(top.get(VDI.location)));
        String parent = VdiRecords.parentOf(top);
        while (parent != null) {
            if (images.size() == VdiLayers.MAX_LAYERS) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "the chain of " + top.uuid() + " is too long");
            DbObject<VDI> p = byLocation.get(parent);
            if (p == null || !images.add(open.driver().fileName(parent))) {
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "the chain of " + top.uuid() + " is broken at " + parent);
            }
            parent = VdiRecords.parentOf(p);
        }
        return images;
    }

    /** The image, once its header is one the SR accepts (no external data file, nothing unknown): qemu-img reads it next. */
    private static String checked(SrStore dir, String image) {
        try {
            Qcow2Header h = dir.header(image);
            if (h.refusal() == null) return image;
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", image + ": " + h.refusal());
        } catch (IOException | Qcow2Header.Malformed e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + dir.describe(image) + ": " + e.getMessage());
        }
    }

    /** Sets the bit of every block that a range touches, within the bitmap (an image grown since is cut to vdi_to's size). */
    static void mark(byte[] bitmap, List<long[]> ranges) {
        long limit = (long) bitmap.length * 8;
        for (long[] r : ranges) {
            for (long b = r[0] / BLOCK, end = Math.min(limit, blocks(r[0] + r[1])); b < end; b++) {
                bitmap[(int) (b >>> 3)] |= (byte) (0x80 >>> (b & 7));
            }
        }
    }

    private static long blocks(long bytes) { return (bytes + BLOCK - 1) / BLOCK; }

    private boolean isSnapshotVm(Ref<VM> vm) {
        DbObject<VM> v = db.get(vm);
        return v != null && v.get(VM.is_a_snapshot);
    }

    /** SR_OPERATION_NOT_SUPPORTED [sr] where the SR's driver has no CBT, as XAPI answers a missing SM feature. */
    private static void requireCapability(ManagedVdis.Open open) {
        if (!open.driver().capabilities().contains(CAPABILITY)) throw ApiError.of("SR_OPERATION_NOT_SUPPORTED", open.sr().value());
    }

    /**
     * VDI_CBT_ENABLED for a move to another SR (VDI.pool_migrate), as XAPI refuses it: the copy there is one image, and
     * the layers that hold the changed blocks would stay behind.
     */
    public void requireUntracked(Ref<VDI> vdi) {
        if (db.require(vdi).get(VDI.cbt_enabled)) throw ApiError.of("VDI_CBT_ENABLED", vdi.value());
    }

    /** VDI_INCOMPATIBLE_TYPE for a VDI whose data is destroyed, which only CBT calls, destroy and forget still take. */
    static void requireData(DbObject<VDI> v) {
        if (v.get(VDI.type) == VdiType.cbt_metadata) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", v.ref(), VdiType.cbt_metadata.wire());
    }
}

package org.flotilla.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.flotilla.api.CallElsewhere;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;

/**
 * Local storage behind the XenAPI: SR, PBD, VDI and SM records and what they stand for on this host's
 * disks, through the {@link SrDriver}s. This class is what the rest of the daemon sees; the work is done by
 * {@link Srs}, {@link Pbds}, {@link Vdis}, {@link VdiChains}, {@link SmConfigEdits} and {@link DefaultSr}, to which
 * the actions of SR, PBD and VDI hand their messages.
 *
 * <p>Crash safety. Images are made under a temporary name ({@link SrDriver#temporary}) and renamed into
 * place before their record is written; they are removed by renaming them to a temporary name, then
 * deleting the record, then unlinking. So after a crash there is never a record whose image is missing
 * that SR.scan cannot repair: at worst an image without a record (adopted by the next scan) or a
 * temporary leftover (removed by the next scan).
 *
 * <p>Snapshots and clones (as XCP-ng's file SR does with VHD chains): the VDI's image becomes a hidden,
 * read-only "base copy" (a VDI record with managed=false), and both the original VDI and the new one get
 * a fresh empty overlay on it. Every visible VDI stays a leaf that can be written without touching any
 * other; a base copy is never written and is removed once no image uses it. sm_config:vhd-parent names
 * the parent's uuid as XAPI's chains do; the SM alone writes it ({@link SmOwnedKeys}).
 *
 * <p>Images are data, never paths. The chain of a VDI is the SR's records'; image headers, which anyone who
 * can write an image can write, are read by the daemon itself ({@link Qcow2Header}) only to check them against
 * the records, never followed. An image is taken by a scan only if it is a regular file (not a link) whose
 * backing file is an image of the same SR ({@link ScanVerdict}); a chain is checked again each time it is
 * attached ({@link VdiLayers}); and qemu-img, run as root, is given every chain in full ({@link QemuImg}).
 *
 * <p>Chains are kept short by the {@link Coalescer}: a base copy left with one child (its other was a destroyed
 * snapshot) is merged into that child in the background, offline or under the running VM ({@link ChainMerges}).
 */
public final class Storage {
    /** The sm_config key that names a VDI's parent image (a map key, as XAPI's VHD chains have it). */
    public static final String PARENT_KEY = "vhd-parent";

    private final Srs srs;
    private final Pbds pbds;
    private final Vdis vdis;
    private final VdiChains chains;
    private final ChangedBlocks changedBlocks;
    private final NbdExports nbdExports;
    private final VdiLayers layers;
    private final SmConfigEdits<SR> srSmConfig;
    private final SmConfigEdits<VDI> vdiSmConfig;
    private final DefaultSr defaultSr;
    private final QemuImg qemu;
    private final DiskStreams streams;
    private final SrLocks locks;
    private final Coalescer coalescer;
    private final ChainMerges merges;
    private volatile OnlineDisks online = OnlineDisks.NONE;
    private volatile VdisElsewhere vdisElsewhere = VdisElsewhere.NONE;

    /**
     * @param srRoot where SRs made without a device_config:location get their directory
     */
    private final SrDirectories dirs;

    /**
     * Fails unless this host may work on the SR's storage now: SR_HAS_NO_PBDS when its PBD here is not plugged, and,
     * for an SR only another host has plugged, or one whose metadata only the coordinator writes (SrMaster), the error
     * that sends the call there. For calls that check first and change the database after.
     */
    public void requireReachable(Ref<SR> sr) {
        dirs.attached(sr);
        master.require(drivers.of(db.require(sr)));
    }

    private final Database db;
    private final SrDrivers drivers;
    private final SrMaster master;

    public Storage(Database db, Ref<Host> host, Path srRoot, QemuImg qemu) {
        this.qemu = qemu;
        this.db = db;
        this.drivers = new SrDrivers();
        this.dirs = new SrDirectories(db, host, drivers);
        this.layers = new VdiLayers(db, drivers, dirs);
        var locks = new SrLocks();
        this.master = new SrMaster(db, host);
        var space = new SrSpace(db);
        var records = new VdiRecords(db);
        var removal = new VdiRemoval(db);
        this.locks = locks;
        this.merges = new ChainMerges(db, host, layers, qemu, space, () -> online);
        this.coalescer = new Coalescer(db, drivers, locks, dirs, merges, new CoalesceClaim(db, host));
        var scan = new SrScan(db, drivers, locks, dirs, space, records, removal, master, merges, coalescer::trigger);
        this.pbds = new Pbds(db, drivers, locks, dirs, space, scan, records);
        this.srs = new Srs(db, srRoot, drivers, locks, dirs, space, scan, pbds);
        this.srSmConfig = new SmConfigEdits<>(db, SR.sm_config, SmOwnedKeys.OF_SR);
        this.vdiSmConfig = new SmConfigEdits<>(db, VDI.sm_config, SmOwnedKeys.OF_VDI);
        var managed = new ManagedVdis(db, drivers, locks, dirs, records, layers, master);
        this.vdis = new Vdis(db, qemu, drivers, locks, dirs, space, records, managed, removal, layers, () -> online, master, coalescer::trigger);
        this.chains = new VdiChains(db, qemu, managed, records, space, () -> online);
        this.changedBlocks = new ChangedBlocks(db, qemu, managed, records, space);
        this.nbdExports = new NbdExports(db, host);
        this.streams = new DiskStreams(db, host, layers, records, qemu, vdis, managed, changedBlocks, srRoot);
        this.defaultSr = new DefaultSr(db, host, new SmRecords(db, drivers), srs, pbds, new SharedSrPbds(db, host, pbds));
    }

    /** The daemon registers here how another host of the pool is asked to plug its PBD (SR.create of a shared SR). */
    public void setPlugElsewhere(PlugElsewhere p) { srs.setPlugElsewhere(p == null ? PlugElsewhere.NONE : p); }

    /** The daemon registers here how the coordinator asks a member to merge a base copy under a VM running there. */
    public void setStreamElsewhere(StreamElsewhere e) { merges.setStreamElsewhere(e); }

    /**
     * host.call_plugin's {@value StreamElsewhere#PLUGIN} plugin, called on this host by the coordinator's collector
     * ({@link StreamElsewhere}): {@value StreamElsewhere#STREAM} merges the base copy that the collector began to merge
     * into the VDI {@code vdi} (a uuid), a disk of a VM running here, with this host's QEMU, under this host's lock of the
     * SR. Answers "done" once the base copy is out of the VM's chain.
     */
    public String coalescePlugin(String fn, Map<String, String> args) {
        if (!StreamElsewhere.STREAM.equals(fn)) throw ApiError.of("XENAPI_PLUGIN_FAILURE", "failure", "", "no such function: " + fn);
        String uuid = args.getOrDefault(StreamElsewhere.VDI_UUID, "");
        Ref<VDI> c = db.refByUuid(VDI.CLASS, uuid).orElseThrow(() -> ApiError.of("XENAPI_PLUGIN_FAILURE", "failure", "", "no VDI " + uuid));
        Ref<SR> sr = db.require(c).get(VDI.SR);
        SrDriver d = drivers.of(db.require(sr));
        locks.locked(sr, () -> merges.streamForCoordinator(sr, d, db.require(c)));
        return "done";
    }

    /** The VM agent registers here to resize and snapshot disks that running VMs hold open. */
    public void setOnlineDisks(OnlineDisks o) { online = o == null ? OnlineDisks.NONE : o; }

    /** SR's messages. */
    public Srs srs() { return srs; }

    /** PBD's messages. */
    public Pbds pbds() { return pbds; }

    /** VDI's messages but snapshot and clone ({@link #chains}). */
    public Vdis vdis() { return vdis; }

    /** VDIs' bytes as HTTP streams them in and out (raw or VHD). */
    public DiskStreams streams() { return streams; }

    /** The background collector that merges what destroyed snapshots leave of chains. */
    public Coalescer coalescer() { return coalescer; }

    /** VDI.snapshot and VDI.clone. */
    public VdiChains chains() { return chains; }

    /** Changed-block tracking: VDI.enable_cbt, disable_cbt, data_destroy and list_changed_blocks. */
    public ChangedBlocks changedBlocks() { return changedBlocks; }

    /** The VDIs this host serves over NBD (VDI.get_nbd_info), and who may read them. */
    public NbdExports nbdExports() { return nbdExports; }

    /** SR's sm_config as clients may change it. */
    public SmConfigEdits<SR> srSmConfig() { return srSmConfig; }

    /** VDI's sm_config as clients may change it. */
    public SmConfigEdits<VDI> vdiSmConfig() { return vdiSmConfig; }

    /**
     * One image of a VDI's chain: a plain file name directly inside the SR's directory (never a path: no '/',
     * not '.' or '..') and the format to open it with.
     */
    public record Layer(String file, String format) {
        public Layer {
            SrFiles.requirePlainName(file);
            Objects.requireNonNull(format);
        }
    }

    /**
     * How QEMU opens a VDI: the SR's directory, the chain of images top first (each layer backed by the next, the
     * last by nothing), and whether the disk must be read-only. The chain is the SR's records', checked against
     * the image headers; nothing in an image names a file QEMU should open.
     */
    public record Attachment(SrStore store, List<Layer> layers, boolean readOnly) {
        public Attachment {
            Objects.requireNonNull(store);
            layers = List.copyOf(layers);
            if (layers.isEmpty()) throw new IllegalArgumentException("an attachment has at least one layer");
        }

        /** The top image's file, on an SR in a local directory. */
        public Path image() { return ((LocalDir) store).file(layers.getFirst().file()); }

        /** The top image, the one the VM writes to, for messages. */
        public String describe() { return store.describe(layers.getFirst().file()); }

        /** The top image's format. */
        public String format() { return layers.getFirst().format(); }
    }

    /**
     * For the VM agent: the images behind a VDI, on an SR attached to this host, checked (VdiLayers): VDI_MISSING if
     * one is gone, SR_BACKEND_FAILURE if one is a link, is not an image the SR accepts, or disagrees with the records.
     * Waits while the collector rewrites a chain of the SR offline ({@link SrLocks#attaching}).
     */
    public Attachment attachment(Ref<VDI> vdi) { return locks.attaching(db.require(vdi).get(VDI.SR), () -> layers.of(vdi).attachment()); }

    /**
     * At every start: the SM records of the drivers, a PBD for every shared SR, this host's PBDs attached again, and the local SR
     * in {@code dir} ("Local storage") made the first time, with the pool's and this host's default,
     * suspend-image and crash-dump SRs pointed at it where unset. Returns the local SR.
     */
    public Ref<SR> ensureDefaultSr(Path dir) { return defaultSr.ensure(dir); }

    /** VDI.create from a (partial) record, for other subsystems too (VM.provision). */
    public Ref<VDI> createVdi(Rec<VDI> given) { return vdis.create(given); }

    /** VDI.destroy, for other subsystems (the VM agent's provisioning clean-up). */
    public void destroyVdi(Ref<VDI> vdi) { vdis.destroy(vdi); }

    /**
     * As {@link #createVdi}, made by the host that writes the SR's metadata when that is another ({@link VdisElsewhere}):
     * for work of the daemon's own, outside a call the dispatcher could forward whole.
     */
    public Ref<VDI> createVdiWhereItBelongs(Rec<VDI> given) { return whereItBelongs(() -> createVdi(given), there -> there.create(given)); }

    /** As {@link #destroyVdi}, by the host that writes the SR's metadata when that is another. */
    public void destroyVdiWhereItBelongs(Ref<VDI> vdi) { destroyWhereItBelongs(() -> destroyVdi(vdi), vdi); }

    /**
     * VDI.destroy of a VDI a migrated VM left behind: its image's blocks freed in the background ({@link Vdis#destroyLeftBehind});
     * destroyed by the host that writes the SR's metadata when that is another.
     */
    public void destroyLeftBehindVdi(Ref<VDI> vdi) { destroyWhereItBelongs(() -> vdis.destroyLeftBehind(vdi), vdi); }

    private void destroyWhereItBelongs(Runnable here, Ref<VDI> vdi) {
        whereItBelongs(() -> { here.run(); return null; }, there -> { there.destroy(vdi); return null; });
    }

    /** {@code here}, or, should the SR's metadata be another host's to write, {@code there} on that host. */
    private <T> T whereItBelongs(java.util.function.Supplier<T> here, java.util.function.Function<VDI.Actions, T> there) {
        try {
            return here.get();
        } catch (CallElsewhere e) {
            return there.apply(vdisElsewhere.on(e.host()));
        }
    }

    public void setVdisElsewhere(VdisElsewhere v) { vdisElsewhere = v == null ? VdisElsewhere.NONE : v; }

    /** VDI.snapshot: a read-only copy-on-write snapshot of the VDI (is_a_snapshot, snapshot_of). */
    public Ref<VDI> snapshotVdi(Ref<VDI> vdi) { return chains.snapshot(vdi); }

    /** VDI.clone: a fast copy-on-write clone of the VDI. */
    public Ref<VDI> cloneVdi(Ref<VDI> vdi) { return chains.clone(vdi); }

    /** Fills the VDI with the bytes of {@code raw}, a file of the daemon's (a suspended VM's memory). */
    public void importRaw(Path raw, Ref<VDI> vdi) { qemu.fromRaw(raw, attachment(vdi)); }

    /** Writes what the VDI holds to {@code raw}, a new file of the daemon's. */
    public void exportRaw(Ref<VDI> vdi, Path raw) { qemu.toRaw(attachment(vdi), raw); }

    /** Copies what the VDI holds into an NBD export on another host (a disk made there), over TLS. */
    public void exportToNbd(Ref<VDI> vdi, NbdTarget to) { qemu.convertToNbd(attachment(vdi), to); }

    /** The VDI's chain as a block node named {@code nodeName}, for a qemu-storage-daemon of the daemon's to open. */
    public String blockdev(Ref<VDI> vdi, String nodeName) { return QemuImg.node(attachment(vdi)).put("node-name", nodeName).toString(); }

    /** VDI.copy: every block into a new VDI on {@code sr} (or into the existing {@code into}), with progress on {@code task}. */
    public Ref<VDI> copyVdi(Ref<VDI> vdi, Ref<SR> sr, Ref<VDI> into, TaskContext task) { return vdis.copy(vdi, sr, into, task); }
}

package org.flotilla.runtime.migration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.api.Call;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.ThisHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.runtime.devices.DiskMirror;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.storage.Storage;

/**
 * VDI.pool_migrate within the host the VM runs on (XAPI's vdi_pool_migrate, a migrate_send of the VM to its own host
 * that maps this one disk to another SR): a new VDI of the same size in the target SR, the running guest's disk
 * mirrored into it and pivoted onto it, the VBD pointed at it and the old VDI destroyed. Until the pivot any failure
 * destroys the new VDI and leaves the guest on its old one. The disk's snapshots' disks are copied into the same SR
 * after it and become snapshots of the new VDI, as XAPI's migrate_send takes them along.
 */
public final class VdiPoolMigrations {
    private static final System.Logger LOG = System.getLogger(VdiPoolMigrations.class.getName());
    /** The fields the new VDI takes over (XAPI creates the mirror's destination with the source's names). */
    private static final List<Field<VDI, ?>> COPIED = List.of(VDI.name_label, VDI.name_description, VDI.type,
            VDI.sharable, VDI.other_config, VDI.xenstore_data);

    private final Database db;
    private final ThisHost here;
    private final CurrentOperations operations;
    private final Domains domains;
    private final Storage storage;
    private final DiskMirror mirror;
    private final MovedDisks movedDisks;

    public VdiPoolMigrations(Database db, ThisHost here, CurrentOperations operations, Domains domains, Storage storage) {
        this.db = db;
        this.here = here;
        this.operations = operations;
        this.domains = domains;
        this.storage = storage;
        this.mirror = new DiskMirror(db, domains);
        this.movedDisks = new MovedDisks(db, storage);
    }

    /** VDI.pool_migrate of {@code vdi} to {@code sr}; returns the VDI the VM's disk is now. */
    public Ref<VDI> migrate(Call c, Ref<VDI> vdi, Ref<SR> sr) {
        DbObject<VDI> v = db.require(vdi);
        db.require(sr);
        DbObject<VBD> vbd = db.referring(VBD.VDI, vdi).stream().findFirst()
                .orElseThrow(() -> ApiError.of("VDI_NEEDS_VM_FOR_MIGRATE", vdi.value()));
        Ref<VM> vm = vbd.get(VBD.VM);
        here.requireResident(db.require(vm));
        if (v.get(VDI.type) == VdiType.cbt_metadata) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", vdi.value(), VdiType.cbt_metadata.name());
        if (v.get(VDI.cbt_enabled)) throw ApiError.of("VDI_CBT_ENABLED", vdi.value());
        var moved = new AtomicReference<>(vdi);
        operations.runInPlace(c, vm, VmOperations.migrate_send, () -> {
            domains.running(vm);
            // XAPI moves nothing within one SR, nor a CD's disk
            if (v.get(VDI.SR).equals(sr) || vbd.get(VBD.type) == VbdType.CD) return;
            if (!pluggedHere(sr)) throw ApiError.of("VM_REQUIRES_SR", vm.value(), sr.value());
            Ref<VBD> b = vbd.self(VBD.CLASS);
            // its snapshots' disks go along, as migrate_send's rule sends them where the disk they were taken of goes
            Map<Ref<VDI>, Ref<SR>> along = new StorageMotions(db).snapshotDisks(vm, Map.of(vdi, sr), false);
            // a disk the guest has not plugged is no QEMU's: copied, as XAPI copies what it does not mirror
            Ref<VDI> target = vbd.get(VBD.currently_attached) ? move(c, v, b, sr) : storage.vdis().copy(vdi, sr, VDI.CLASS.nullRef(), c.task());
            var copies = new LinkedHashMap<String, String>();
            copies.put(vdi.value(), target.value());
            copies.putAll(snapshotCopies(vdi, along));
            movedDisks.leaveBehind(vm, copies);
            moved.set(target);
        });
        return moved.get();
    }

    /**
     * Copies of the snapshots' disks in the SRs they go to, by the references of those they copy. If one cannot be
     * made, none is kept: the guest runs on the moved disk already and stays so, and its snapshots keep the disks they
     * had (a warning says so).
     */
    private Map<String, String> snapshotCopies(Ref<VDI> vdi, Map<Ref<VDI>, Ref<SR>> along) {
        var made = new LinkedHashMap<String, String>();
        try {
            along.forEach((snapshot, to) -> made.put(snapshot.value(), storage.vdis().copy(snapshot, to, VDI.CLASS.nullRef(), TaskContext.NONE).value()));
            return made;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "VDI " + vdi.value() + " moved, but not its snapshots' disks: " + e.getMessage());
            for (String copy : made.values()) {
                try {
                    storage.destroyVdiWhereItBelongs(VDI.CLASS.ref(copy));
                } catch (RuntimeException left) {
                    LOG.log(System.Logger.Level.WARNING, "cannot destroy " + copy + ", a copy no snapshot uses: " + left.getMessage());
                }
            }
            return Map.of();
        }
    }

    private Ref<VDI> move(Call c, DbObject<VDI> v, Ref<VBD> vbd, Ref<SR> sr) {
        Ref<VDI> vdi = v.self(VDI.CLASS);
        c.task().progress(0.05);
        Rec<VDI> like = Rec.empty(VDI.CLASS).set(VDI.SR, sr).set(VDI.virtual_size, v.get(VDI.virtual_size));
        for (var f : COPIED) copy(v, like, f);
        Ref<VDI> target = storage.createVdiWhereItBelongs(like);
        try {
            mirror.moveTo(vbd, vdi, storage.attachment(target), c.task());
        } catch (RuntimeException e) {
            try {
                storage.destroyVdiWhereItBelongs(target);
            } catch (RuntimeException left) {
                e.addSuppressed(left);
            }
            throw e;
        }
        c.task().progress(0.95);
        return target;
    }

    private boolean pluggedHere(Ref<SR> sr) {
        return db.referring(PBD.SR, sr).stream().anyMatch(p -> here.is(p.get(PBD.host)) && p.get(PBD.currently_attached));
    }

    private static <T> void copy(DbObject<VDI> from, Rec<VDI> to, Field<VDI, T> f) { to.set(f, from.get(f)); }
}

package org.flotilla.runtime.migration;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.api.Call;
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
 * destroys the new VDI and leaves the guest on its old one.
 */
public final class VdiPoolMigrations {
    /** The fields the new VDI takes over (XAPI creates the mirror's destination with the source's names). */
    private static final List<Field<VDI, ?>> COPIED = List.of(VDI.name_label, VDI.name_description, VDI.type,
            VDI.sharable, VDI.other_config, VDI.xenstore_data);

    private final Database db;
    private final ThisHost here;
    private final CurrentOperations operations;
    private final Domains domains;
    private final Storage storage;
    private final DiskMirror mirror;

    public VdiPoolMigrations(Database db, ThisHost here, CurrentOperations operations, Domains domains, Storage storage) {
        this.db = db;
        this.here = here;
        this.operations = operations;
        this.domains = domains;
        this.storage = storage;
        this.mirror = new DiskMirror(db, domains);
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
        operations.run(c, vm, VmOperations.migrate_send, () -> {
            domains.running(vm);
            // XAPI moves nothing within one SR, nor a CD's disk
            if (v.get(VDI.SR).equals(sr) || vbd.get(VBD.type) == VbdType.CD) return;
            if (!pluggedHere(sr)) throw ApiError.of("VM_REQUIRES_SR", vm.value(), sr.value());
            Ref<VBD> b = vbd.self(VBD.CLASS);
            // a disk the guest has not plugged is no QEMU's: copied, as XAPI copies what it does not mirror
            moved.set(vbd.get(VBD.currently_attached) ? move(c, v, b, sr) : replace(b, vdi, storage.vdis().copy(vdi, sr, VDI.CLASS.nullRef(), c.task())));
        });
        return moved.get();
    }

    private Ref<VDI> move(Call c, DbObject<VDI> v, Ref<VBD> vbd, Ref<SR> sr) {
        Ref<VDI> vdi = v.self(VDI.CLASS);
        c.task().progress(0.05);
        Rec<VDI> like = Rec.empty(VDI.CLASS).set(VDI.SR, sr).set(VDI.virtual_size, v.get(VDI.virtual_size));
        for (var f : COPIED) copy(v, like, f);
        Ref<VDI> target = storage.createVdi(like);
        try {
            mirror.moveTo(vbd, vdi, storage.attachment(target), c.task());
        } catch (RuntimeException e) {
            try {
                storage.destroyVdi(target);
            } catch (RuntimeException left) {
                e.addSuppressed(left);
            }
            throw e;
        }
        c.task().progress(0.95);
        return replace(vbd, vdi, target);
    }

    /** The VBD names {@code target} in place of {@code vdi}, which is destroyed. */
    private Ref<VDI> replace(Ref<VBD> vbd, Ref<VDI> vdi, Ref<VDI> target) {
        db.write(tx -> tx.set(vbd, VBD.VDI, target));
        storage.destroyVdi(vdi);
        return target;
    }

    private boolean pluggedHere(Ref<SR> sr) {
        return db.referring(PBD.SR, sr).stream().anyMatch(p -> here.is(p.get(PBD.host)) && p.get(PBD.currently_attached));
    }

    private static <T> void copy(DbObject<VDI> from, Rec<VDI> to, Field<VDI, T> f) { to.set(f, from.get(f)); }
}

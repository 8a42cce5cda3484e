package org.flotilla.vm;

import java.util.List;
import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;

/**
 * The rules of {@link VmLifecycle} applied to the VM records in the database: VM.assert_operation_valid,
 * VM.update_allowed_operations, and allowed_operations kept true as fields change.
 */
public final class VmAllowedOperations {
    private final Database db;

    public VmAllowedOperations(Database db) { this.db = db; }

    /** A change to a VM, to fill with the fields it sets and {@link #stage}. */
    public static Rec<VM> changes() { return Rec.empty(VM.CLASS); }

    /**
     * The error {@code op} would fail with on {@code vm} now, if any (XAPI: check_operation_error, which looks at the
     * VM's devices too).
     */
    public Optional<ApiError> error(DbObject<VM> vm, VmOperations op) { return errorIn(db, vm, op); }

    /** As {@link #error}, read in {@code db} (a transaction's view of it). */
    public static Optional<ApiError> errorIn(Database db, DbObject<VM> vm, VmOperations op) {
        return Optional.ofNullable(VmLifecycle.check(vm, op)).or(() -> HeldNics.refusalOf(db, vm, op));
    }

    /** Fails as XAPI would if {@code op} may not run on {@code vm} now. */
    public void require(DbObject<VM> vm, VmOperations op) { error(vm, op).ifPresent(e -> { throw e; }); }

    public void assertValid(Ref<VM> vm, VmOperations op) { require(db.require(vm), op); }

    /** Every operation that would be valid now (XAPI: update_allowed_operations' fold over allowable ops). */
    public List<VmOperations> allowed(DbObject<VM> vm) { return allowedOperations(db, vm); }

    /** Stages {@code changes} to a VM and its allowed_operations as they will be once the changes apply. */
    public static void stage(Database.Tx tx, DbObject<VM> vm, Rec<VM> changes) {
        Records.stage(tx, vm.self(VM.CLASS), changes);
        stageAllowed(tx, Records.after(vm, changes));
    }

    private static void stageAllowed(Database.Tx tx, DbObject<VM> vm) {
        List<VmOperations> ops = allowedOperations(tx.db(), vm);
        if (!ops.equals(vm.get(VM.allowed_operations))) tx.set(vm.self(VM.CLASS), VM.allowed_operations, ops);
    }

    private static List<VmOperations> allowedOperations(Database db, DbObject<VM> vm) {
        List<VmOperations> ops = VmLifecycle.allowedOperations(vm);
        if (HeldNics.firstOf(db, vm).isEmpty()) return List.copyOf(ops);
        return ops.stream().filter(op -> !HeldNics.MEMORY_MOVES.contains(op)).toList();
    }

    /** Recomputes and stores allowed_operations. */
    public void update(Ref<VM> vm) { update(vm, changes()); }

    /** Sets fields of a VM (if it still exists) and recomputes its allowed_operations, in one transaction. */
    public void update(Ref<VM> vm, Rec<VM> changes) {
        db.write(tx -> {
            DbObject<VM> now = db.get(vm);
            if (now != null) stage(tx, now, changes);
        });
    }

    /** allowed_operations of every VM but the control domains made true (at start, for records made by others). */
    public void updateAll() {
        db.write(tx -> {
            for (DbObject<VM> vm : db.all(VM.CLASS)) if (!Boolean.TRUE.equals(vm.get(VM.is_control_domain))) stageAllowed(tx, vm);
        });
    }
}

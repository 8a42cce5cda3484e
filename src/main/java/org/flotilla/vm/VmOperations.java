package org.flotilla.vm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/**
 * The rules of {@link VmLifecycle} applied to the VM records in the database: VM.assert_operation_valid,
 * VM.update_allowed_operations, and allowed_operations kept true as fields change.
 */
public final class VmOperations {
    private final Database db;

    public VmOperations(Database db) { this.db = db; }

    /** The error {@code op} would fail with on {@code vm} now, if any (XAPI: check_operation_error). */
    public Optional<ApiError> error(DbObject<?> vm, String op) { return Optional.ofNullable(VmLifecycle.check(vm, op)); }

    public void assertValid(String vmRef, String op) {
        error(db.require("VM", vmRef), op).ifPresent(e -> { throw e; });
    }

    /** Every operation that would be valid now (XAPI: update_allowed_operations' fold over allowable ops). */
    public List<String> allowed(DbObject<?> vm) { return List.copyOf(VmLifecycle.allowedOperations(vm)); }

    /** Stages {@code changes} to a VM and its allowed_operations as they will be once the changes apply. */
    public static void stage(Database.Tx tx, DbObject<?> vm, Map<String, Object> changes) {
        changes.forEach((k, v) -> tx.set("VM", vm.ref(), k, v));
        stageAllowed(tx, vm, changes);
    }

    /** Stages allowed_operations of a VM as it will be once {@code fieldsAfter} (staged by the caller) apply. */
    public void refresh(Database.Tx tx, String vmRef, Map<String, Object> fieldsAfter) {
        DbObject<?> now = db.get("VM", vmRef);
        stageAllowed(tx, now == null ? new DbObject<>("VM", vmRef, Map.of(), 0, 0) : now, fieldsAfter);
    }

    private static void stageAllowed(Database.Tx tx, DbObject<?> vm, Map<String, Object> fieldsAfter) {
        var fields = new LinkedHashMap<String, Object>(vm.fields());
        fields.putAll(fieldsAfter);
        List<String> ops = VmLifecycle.allowedOperations(new DbObject<>("VM", vm.ref(), fields, 0, 0));
        if (!ops.equals(vm.get("allowed_operations"))) tx.set("VM", vm.ref(), "allowed_operations", ops);
    }

    /** Recomputes and stores allowed_operations. */
    public void update(String vmRef) { update(vmRef, Map.of()); }

    /** Sets fields of a VM (if it still exists) and recomputes its allowed_operations, in one transaction. */
    public void update(String vmRef, Map<String, Object> changes) {
        db.write(tx -> {
            DbObject<?> vm = db.get("VM", vmRef);
            if (vm != null) stage(tx, vm, changes);
        });
    }

    /** allowed_operations of every VM but the control domains made true (at start, for records made by others). */
    public void updateAll() {
        db.write(tx -> {
            for (DbObject<?> vm : db.all("VM")) {
                if (!Boolean.TRUE.equals(vm.get("is_control_domain"))) stageAllowed(tx, vm, Map.of());
            }
        });
    }
}

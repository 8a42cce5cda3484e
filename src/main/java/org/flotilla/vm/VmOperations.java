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
    public Optional<ApiError> error(DbObject vm, String op) { return Optional.ofNullable(VmLifecycle.check(vm, op)); }

    public void assertValid(String vmRef, String op) {
        error(db.require("VM", vmRef), op).ifPresent(e -> { throw e; });
    }

    /** Every operation that would be valid now (XAPI: update_allowed_operations' fold over allowable ops). */
    public List<String> allowed(DbObject vm) { return List.copyOf(VmLifecycle.allowedOperations(vm)); }

    /** Stages allowed_operations of a VM as it will be once {@code fieldsAfter} apply. */
    public void refresh(Database.Tx tx, String vmRef, Map<String, Object> fieldsAfter) {
        DbObject now = db.get("VM", vmRef);
        var fields = new LinkedHashMap<String, Object>(now == null ? Map.of() : now.fields());
        fields.putAll(fieldsAfter);
        List<String> ops = allowed(new DbObject("VM", vmRef, fields, 0, 0));
        if (now == null || !ops.equals(now.get("allowed_operations"))) tx.set("VM", vmRef, "allowed_operations", ops);
    }

    /** Recomputes and stores allowed_operations. */
    public void update(String vmRef) {
        db.write(tx -> {
            DbObject vm = db.get("VM", vmRef);
            if (vm != null) refresh(tx, vmRef, Map.of());
        });
    }
}

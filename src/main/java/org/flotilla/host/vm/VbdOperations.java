package org.flotilla.host.vm;

import java.util.List;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.vm.VbdRecords;

/** Keeps the allowed_operations of VBDs true as their VM's power state and their attachment change. */
final class VbdOperations {
    private final Database db;

    VbdOperations(Database db) { this.db = db; }

    /** Stages those of every VBD of the VM for {@code power} (and, if given, their attachment). */
    void stageForVm(Database.Tx tx, String vmRef, String power, Boolean attached) {
        for (DbObject b : db.where("VBD", b -> vmRef.equals(b.get("VM")))) {
            stage(tx, b, power, attached != null ? attached : b.bool("currently_attached"));
        }
    }

    /** Recomputes those of one VBD after it was plugged, unplugged or had its medium changed. */
    void update(String vbdRef) {
        db.write(tx -> {
            DbObject b = db.get("VBD", vbdRef);
            DbObject vm = b == null ? null : db.get("VM", b.string("VM"));
            if (vm == null) return;
            stage(tx, b, vm.string("power_state"), b.bool("currently_attached"));
        });
    }

    private static void stage(Database.Tx tx, DbObject b, String power, boolean attached) {
        var vmNow = new DbObject("VM", b.string("VM"), Map.of("power_state", power), 0, 0);
        List<String> ops = VbdRecords.allowedOperations(vmNow, b.bool("empty"), b.string("type"), attached);
        if (!ops.equals(b.get("allowed_operations"))) tx.set("VBD", b.ref(), "allowed_operations", ops);
    }
}

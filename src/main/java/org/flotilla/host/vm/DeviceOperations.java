package org.flotilla.host.vm;

import java.util.HashMap;
import java.util.List;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.vm.VbdRecords;
import org.flotilla.vm.VifLifecycle;

/** Keeps the allowed_operations of VBDs and VIFs true as their VM's power state and their attachment change. */
final class DeviceOperations {
    private static final List<String> CLASSES = List.of("VBD", "VIF");

    private final Database db;

    DeviceOperations(Database db) { this.db = db; }

    /** Stages those of every VBD and VIF of the VM for {@code power} (and, if given, their attachment). */
    void stageForVm(Database.Tx tx, String vmRef, String power, Boolean attached) {
        DbObject<?> vm = db.get("VM", vmRef);
        if (vm == null) return;
        for (String cls : CLASSES) {
            for (DbObject<?> dev : db.where(cls, d -> vmRef.equals(d.get("VM")))) {
                stage(tx, vm, dev, power, attached != null ? attached : dev.bool("currently_attached"));
            }
        }
    }

    /** Recomputes those of one VBD or VIF after it was plugged, unplugged, busy or had its medium changed. */
    void update(String cls, String ref) {
        db.write(tx -> {
            DbObject<?> dev = db.get(cls, ref);
            DbObject<?> vm = dev == null ? null : db.get("VM", dev.string("VM"));
            if (vm == null) return;
            stage(tx, vm, dev, vm.string("power_state"), dev.bool("currently_attached"));
        });
    }

    private static void stage(Database.Tx tx, DbObject<?> vm, DbObject<?> dev, String power, boolean attached) {
        var vmFields = new HashMap<>(vm.fields());
        vmFields.put("power_state", power);
        var vmNow = new DbObject<>("VM", vm.ref(), vmFields, 0, 0);
        List<String> ops = switch (dev.className()) {
            case "VBD" -> VbdRecords.allowedOperations(vmNow, dev.bool("empty"), dev.string("type"), attached);
            default -> {
                var devFields = new HashMap<>(dev.fields());
                devFields.put("currently_attached", attached);
                yield VifLifecycle.allowedOperations(vmNow, new DbObject<>(dev.className(), dev.ref(), devFields, 0, 0));
            }
        };
        if (!ops.equals(dev.get("allowed_operations"))) tx.set(dev.className(), dev.ref(), "allowed_operations", ops);
    }
}

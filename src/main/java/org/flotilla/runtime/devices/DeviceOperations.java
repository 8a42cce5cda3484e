package org.flotilla.runtime.devices;

import java.util.List;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdOperations;
import org.flotilla.model.xenapi.enums.VifOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.vm.Records;
import org.flotilla.vm.VbdRecords;
import org.flotilla.vm.VifLifecycle;
import org.flotilla.vm.VmAllowedOperations;

/** Keeps the allowed_operations of VBDs and VIFs true as their VM's power state and their attachment change. */
public final class DeviceOperations {
    private final Database db;

    public DeviceOperations(Database db) { this.db = db; }

    /** Stages those of every VBD and VIF of the VM for {@code power} (and, if given, their attachment). */
    public void stageForVm(Database.Tx tx, Ref<VM> vmRef, VmPowerState power, Boolean attached) {
        DbObject<VM> vm = db.get(vmRef);
        if (vm == null) return;
        for (DbObject<VBD> b : db.referring(VBD.VM, vmRef)) stageVbd(tx, b, power, attached != null ? attached : b.get(VBD.currently_attached));
        for (DbObject<VIF> v : db.referring(VIF.VM, vmRef)) stageVif(tx, vm, v, power, attached != null ? attached : v.get(VIF.currently_attached));
    }

    /** Recomputes those of one VBD after it was plugged, unplugged or had its medium changed. */
    void updateVbd(Ref<VBD> ref) {
        db.write(tx -> {
            DbObject<VBD> b = db.get(ref);
            DbObject<VM> vm = b == null ? null : db.get(b.get(VBD.VM));
            if (vm != null) stageVbd(tx, b, vm.get(VM.power_state), b.get(VBD.currently_attached));
        });
    }

    /** Recomputes those of one VIF after it was plugged, unplugged or busy. */
    void updateVif(Ref<VIF> ref) {
        db.write(tx -> {
            DbObject<VIF> v = db.get(ref);
            DbObject<VM> vm = v == null ? null : db.get(v.get(VIF.VM));
            if (vm != null) stageVif(tx, vm, v, vm.get(VM.power_state), v.get(VIF.currently_attached));
        });
    }

    private static void stageVbd(Database.Tx tx, DbObject<VBD> b, VmPowerState power, boolean attached) {
        List<VbdOperations> ops = VbdRecords.allowedOperations(power, b.get(VBD.empty), b.get(VBD.type), attached);
        if (!ops.equals(b.get(VBD.allowed_operations))) tx.set(b.self(VBD.CLASS), VBD.allowed_operations, ops);
    }

    private static void stageVif(Database.Tx tx, DbObject<VM> vm, DbObject<VIF> v, VmPowerState power, boolean attached) {
        List<VifOperations> ops = VifLifecycle.allowedOperations(Records.after(vm, VmAllowedOperations.changes().set(VM.power_state, power)),
                Records.after(v, Rec.empty(VIF.CLASS).set(VIF.currently_attached, attached)));
        if (!ops.equals(v.get(VIF.allowed_operations))) tx.set(v.self(VIF.CLASS), VIF.allowed_operations, ops);
    }
}

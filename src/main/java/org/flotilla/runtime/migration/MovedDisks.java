package org.flotilla.runtime.migration;

import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmRecords;

/**
 * What the source does with the disks a VM took with it, once the guest runs on their copies there: the VM's VBDs
 * name the copies, and the VDIs it left are destroyed, as XAPI destroys the VDIs Storage XenMotion moved. Written by
 * the source, whose copy of the database then has it at once, before it destroys what it reads as unused.
 */
final class MovedDisks {
    private static final System.Logger LOG = System.getLogger(MovedDisks.class.getName());

    private final Database db;
    private final Storage storage;

    MovedDisks(Database db, Storage storage) {
        this.db = db;
        this.storage = storage;
    }

    /**
     * {@code copies}: each VDI the VM left here, by reference, and the one it now runs on there; with them those of its
     * snapshots' disks and checkpoints' memory, which their VBDs and suspend_VDI now name, each a snapshot of the copy
     * of the disk it was taken of.
     */
    void leaveBehind(Ref<VM> vm, Map<String, String> copies) {
        repoint(vm, copies);
        destroyLeft(vm, copies);
    }

    /** The VM's VBDs name the copies: what may be written while the QEMU that held the VDIs here still ends. */
    void repoint(Ref<VM> vm, Map<String, String> copies) {
        if (copies.isEmpty()) return;
        db.write(tx -> {
            for (Ref<VM> v : VmRecords.withSnapshots(db, vm)) {
                for (DbObject<VBD> b : db.referring(VBD.VM, v)) {
                    String copy = copies.get(b.get(VBD.VDI).value());
                    if (copy != null) tx.set(b.self(VBD.CLASS), VBD.VDI, VDI.CLASS.ref(copy));
                }
                String memory = copies.get(db.require(v).get(VM.suspend_VDI).value());
                if (memory != null) tx.set(v, VM.suspend_VDI, VDI.CLASS.ref(memory));
            }
            copies.forEach((left, copy) -> {
                Rec<VDI> was = db.record(VDI.CLASS.ref(left));
                String of = copies.get(was.get(VDI.snapshot_of).value());
                stageSnapshotMarks(tx, was, VDI.CLASS.ref(copy), of == null ? was.get(VDI.snapshot_of) : VDI.CLASS.ref(of));
            });
        });
    }

    /** The VDIs the VM left here are destroyed, once {@link #repoint} has written that no VBD of it names them. */
    void destroyLeft(Ref<VM> vm, Map<String, String> copies) {
        for (String left : copies.keySet()) {
            try {
                storage.destroyLeftBehindVdi(VDI.CLASS.ref(left));
            } catch (RuntimeException e) {
                // the VM has moved all the same: what stays is a disk no VM uses, for the administrator to remove
                LOG.log(System.Logger.Level.WARNING, "VM " + vm.value() + " moved, but its former VDI " + left + " could not be destroyed: " + e.getMessage());
            }
        }
    }

    /** A VDI made for {@code was} is a snapshot as it was (of {@code of}, taken when it was), or none. */
    static void stageSnapshotMarks(Database.Tx tx, Rec<VDI> was, Ref<VDI> to, Ref<VDI> of) {
        tx.set(to, VDI.is_a_snapshot, was.get(VDI.is_a_snapshot));
        tx.set(to, VDI.snapshot_of, of);
        tx.set(to, VDI.snapshot_time, was.get(VDI.snapshot_time));
    }
}

package org.flotilla.vm;

import java.nio.file.Path;
import org.flotilla.db.Database;
import org.flotilla.storage.Storage;

/**
 * The VM and VBD records side of the host agent, assembled: VM/VBD creation and destruction, memory and
 * VCPU settings, templates, clone/copy/provision/snapshot/revert. VM's and VBD's actions call into its parts.
 */
public final class VmSubsystem {
    private final Database db;
    private final VmAllowedOperations operations;
    private final VmRecords vms;
    private final VbdRecords vbds;
    private final VmCloner cloner;

    public VmSubsystem(Database db, Storage storage) {
        this.db = db;
        this.operations = new VmAllowedOperations(db);
        this.vms = new VmRecords(db, operations);
        this.vbds = new VbdRecords(db, vms);
        this.cloner = new VmCloner(db, storage, operations, vms, vbds);
    }

    /** At every start: the built-in templates that are missing (and the test guest's, if built in {@code guestDir}). */
    public int ensureDefaultTemplates(Path guestDir) { return new Templates(db).ensureDefaults(guestDir, operations); }

    /** Runs {@code r} after each VM.destroy (the host sweeps the files of VMs that no longer exist). */
    public void afterDestroy(Runnable r) { vms.afterDestroy(r); }

    /** Where a running VM's new memory target goes: the host's balloon driver. */
    public void setBalloon(VmRecords.Balloon b) { vms.setBalloon(b); }

    /** Which operations are valid, and allowed_operations to refresh after a change. */
    public VmAllowedOperations operations() { return operations; }

    public VmRecords vms() { return vms; }

    public VbdRecords vbds() { return vbds; }

    public VmCloner cloner() { return cloner; }
}

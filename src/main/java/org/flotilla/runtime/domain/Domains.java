package org.flotilla.runtime.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.vm.VmLifecycle;

/** The QEMUs this runtime follows, by VM ref: the host's ground truth of which VMs run here. */
public final class Domains {
    private final Database db;
    private final Map<Ref<VM>, Domain> byVm = new ConcurrentHashMap<>();
    /** Set when the daemon lets go of its QEMUs: their events and exits are no longer ours to record. */
    private volatile boolean closed;

    public Domains(Database db) { this.db = db; }

    /** The VM's QEMU, or null. */
    public Domain get(Ref<VM> vmRef) { return byVm.get(vmRef); }

    /** The VM's live QEMU; VM_BAD_POWER_STATE if it has none. */
    public Domain running(Ref<VM> vmRef) {
        Domain d = byVm.get(vmRef);
        if (d == null || !d.alive()) {
            DbObject<VM> vm = db.require(vmRef);
            throw ApiError.of("VM_BAD_POWER_STATE", vmRef.value(), "running", VmLifecycle.lower(vm.get(VM.power_state)));
        }
        return d;
    }

    public boolean isRunning(Ref<VM> vmRef) {
        Domain d = byVm.get(vmRef);
        return d != null && d.alive();
    }

    public boolean contains(Ref<VM> vmRef) { return byVm.containsKey(vmRef); }

    public void add(Domain d) { byVm.put(d.vmRef, d); }

    /** Forgets {@code d} if it is still the VM's QEMU (a newer one stays). */
    public void remove(Domain d) { byVm.remove(d.vmRef, d); }

    public Collection<Domain> all() { return byVm.values(); }

    public Map<Ref<VM>, Long> pids() {
        var out = new HashMap<Ref<VM>, Long>();
        byVm.forEach((k, v) -> out.put(k, v.pid));
        return out;
    }

    public boolean closed() { return closed; }

    /** Lets go of the QEMUs without stopping them. */
    public void close() {
        closed = true;
        for (Domain d : byVm.values()) d.qmp.close();
        byVm.clear();
    }
}

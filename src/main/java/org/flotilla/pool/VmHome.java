package org.flotilla.pool;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.VM;

/**
 * The host that answers for a VM's state when a daemon starts again: the one it is resident on, else the one it is
 * being started or resumed on (scheduled_to_be_resident_on), else, for a VM that is nowhere, the pool's coordinator.
 * A daemon corrects only the VMs whose home it is, so that a host joining or restarting never touches what another
 * host runs or is starting.
 */
public final class VmHome {
    private VmHome() {}

    public static Ref<Host> of(Database db, DbObject<VM> vm) {
        Ref<Host> resident = vm.get(VM.resident_on);
        if (!resident.isNull()) return resident;
        Ref<Host> scheduled = vm.get(VM.scheduled_to_be_resident_on);
        if (!scheduled.isNull()) return scheduled;
        return db.all(Pool.CLASS).stream().findFirst().map(p -> p.get(Pool.master)).orElse(Host.CLASS.nullRef());
    }

    public static boolean is(Database db, DbObject<VM> vm, Ref<Host> host) { return host.equals(of(db, vm)); }
}

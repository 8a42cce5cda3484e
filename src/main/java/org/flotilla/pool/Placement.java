package org.flotilla.pool;

import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.HostOperations;
import org.flotilla.host.ThisHost;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;

/**
 * Where VMs may run: the checks a host must pass to boot a VM ({@link BootChecks}), the choice of a host
 * ({@link HostChoice}), agility ({@link Agility}), and a VM held to its host while it starts or resumes there,
 * as XAPI's message forwarding does it (allocate_vm_to_host): the host lists vm_start or vm_resume among its
 * current operations and the VM names it in scheduled_to_be_resident_on.
 */
public final class Placement {
    /** A VM's boot on the host it was placed on. */
    public interface Boot { void run() throws Exception; }

    private final Database db;
    private final Ref<Host> here;
    private final FreeMemory free;
    private final BootChecks checks;
    private final HostChoice choice;
    private final Agility agility;
    private final HostOperations hostOps;

    /** {@code here}: the host whose daemon this is, the only one it boots VMs on until calls are forwarded between hosts. */
    public Placement(Database db, Ref<Host> here, FreeMemory free) {
        this.db = db;
        this.here = here;
        this.free = free;
        this.checks = new BootChecks(db, free);
        this.choice = new HostChoice(db, checks);
        this.agility = new Agility(db);
        this.hostOps = new HostOperations(db);
    }

    public BootChecks checks() { return checks; }

    public HostChoice choice() { return choice; }

    public Agility agility() { return agility; }

    public FreeMemory freeMemory() { return free; }

    public HostOperations hostOperations() { return hostOps; }

    /**
     * VM.start and VM.resume: boots the VM on the host chosen for it among every host of the pool, this one when it
     * fits as well as any. Another host chosen fails with CANNOT_CONTACT_HOST until calls are forwarded between hosts.
     */
    public void onChosenHost(Call c, Ref<VM> vm, HostAllowedOperations op, Boot boot) throws Exception {
        onHost(c, vm, choice.choose(vm, choice.allHosts(), here), op, boot);
    }

    /** VM.start_on and VM.resume_on: boots the VM on the host named, if it can take it (and is this one, for now). */
    public void onNamedHost(Call c, Ref<VM> vm, Ref<Host> host, HostAllowedOperations op, Boot boot) throws Exception {
        checks.assertCanBootHere(vm, host);
        onHost(c, vm, host, op, boot);
    }

    /** HOST_EVACUATE_IN_PROGRESS while the host is being evacuated: VM.start_on refuses it before anything else. */
    public void assertNotEvacuating(Ref<Host> host) {
        DbObject<Host> h = db.require(host);
        if (HostChoice.evacuating(h)) throw ApiError.of("HOST_EVACUATE_IN_PROGRESS", host.value());
    }

    private void onHost(Call c, Ref<VM> vm, Ref<Host> host, HostAllowedOperations op, Boot boot) throws Exception {
        if (!here.equals(host)) throw ThisHost.belongsTo(host);
        String key = hostOps.begin(c, host, op);
        try {
            db.write(tx -> { if (tx.db().exists(vm)) tx.set(vm, VM.scheduled_to_be_resident_on, host); });
            boot.run();
        } finally {
            db.write(tx -> { if (tx.db().exists(vm)) tx.set(vm, VM.scheduled_to_be_resident_on, Host.CLASS.nullRef()); });
            hostOps.end(host, key);
        }
    }
}

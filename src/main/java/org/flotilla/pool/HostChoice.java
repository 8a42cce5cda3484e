package org.flotilla.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;

/**
 * Which host a VM should start or resume on, as XAPI chooses without workload balancing (choose_host_for_vm_no_wlb):
 * among the candidates that are enabled, live, not being evacuated and can boot it with the memory it needs; if
 * none has the memory, among those that could boot it otherwise (the start then fails on memory, with its figures);
 * NO_HOSTS_AVAILABLE if none could at all. The VM's affinity host goes first.
 */
public final class HostChoice {
    private final Database db;
    private final BootChecks checks;

    public HostChoice(Database db, BootChecks checks) {
        this.db = db;
        this.checks = checks;
    }

    /**
     * The host for the VM among {@code candidates}: its affinity host if that fits, else {@code preferred} if that fits
     * (XAPI picks at random among the hosts that fit; the host that took the call is as good as any), else the first.
     */
    public Ref<Host> choose(Ref<VM> vmRef, Collection<Ref<Host>> candidates, Ref<Host> preferred) {
        DbObject<VM> vm = db.require(vmRef);
        List<Ref<Host>> fit = suitable(vm, candidates, true);
        if (fit.isEmpty()) fit = suitable(vm, candidates, false);
        if (fit.isEmpty()) throw ApiError.of("NO_HOSTS_AVAILABLE");
        Ref<Host> affinity = vm.get(VM.affinity);
        if (fit.contains(affinity)) return affinity;
        return fit.contains(preferred) ? preferred : fit.getFirst();
    }

    /** Every host of the pool, in the database's order. */
    List<Ref<Host>> allHosts() { return db.all(Host.CLASS).stream().map(h -> h.self(Host.CLASS)).toList(); }

    /** VM.get_possible_hosts: the host it is bound for while it starts, else every host of the pool that could boot it now. */
    public List<Ref<Host>> possibleHosts(Ref<VM> vmRef) {
        DbObject<VM> vm = db.require(vmRef);
        Ref<Host> scheduled = vm.get(VM.scheduled_to_be_resident_on);
        if (!scheduled.isNull()) return List.of(scheduled);
        var out = new ArrayList<Ref<Host>>();
        for (Ref<Host> host : allHosts()) if (canBoot(vm, host, true)) out.add(host);
        return out;
    }

    private List<Ref<Host>> suitable(DbObject<VM> vm, Collection<Ref<Host>> candidates, boolean memoryCheck) {
        var out = new ArrayList<Ref<Host>>();
        for (Ref<Host> host : candidates) {
            DbObject<Host> h = db.get(host);
            if (h == null || evacuating(h)) continue;
            if (canBoot(vm, host, memoryCheck)) out.add(host);
        }
        return out;
    }

    private boolean canBoot(DbObject<VM> vm, Ref<Host> host, boolean memoryCheck) {
        try {
            checks.assertCanBootHere(vm, host, memoryCheck);
            return true;
        } catch (ApiError e) {
            return false;
        }
    }

    static boolean evacuating(DbObject<Host> host) { return host.get(Host.current_operations).containsValue(HostAllowedOperations.evacuate); }
}

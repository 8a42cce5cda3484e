package org.flotilla.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.HostOperations;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;

/**
 * Moving every VM off a host, as XAPI plans it without workload balancing (xapi_host.ml,
 * compute_evacuation_plan_no_wlb): the other enabled hosts are the targets; a VM stays if there is none
 * (NO_HOSTS_AVAILABLE), if one of them could not boot it, or if no target has the memory left for it
 * (HOST_NOT_ENOUGH_FREE_MEMORY); the others are placed first-fit, largest first.
 */
public final class Evacuation {
    /** What becomes of one VM: where it moves, or the error (code, then parameters) that keeps it. */
    public sealed interface Plan {
        record MoveTo(Ref<Host> host) implements Plan {}

        record Stays(List<String> error) implements Plan {}
    }

    /** Moves a running VM to another host of the pool (VM.pool_migrate), with XAPI's migration options. */
    @FunctionalInterface
    public interface Migrator {
        void poolMigrate(Call c, Ref<VM> vm, Ref<Host> to, Map<String, String> options);

        /** Until VMs can move between hosts: a one-host pool never plans a move. */
        Migrator NONE = (c, vm, to, options) -> { throw ApiError.of("NOT_IMPLEMENTED", "VM.pool_migrate"); };
    }

    private final Database db;
    private final BootChecks checks;
    private final FreeMemory free;
    private final HostOperations hostOps;
    private final Migrator migrator;

    public Evacuation(Database db, Placement placement, Migrator migrator) {
        this.db = db;
        this.checks = placement.checks();
        this.free = placement.freeMemory();
        this.hostOps = placement.hostOperations();
        this.migrator = migrator;
    }

    /** Each VM running on the host (the control domain aside), with what becomes of it. */
    public Map<Ref<VM>, Plan> plan(Ref<Host> host) {
        var plans = new LinkedHashMap<Ref<VM>, Plan>();
        List<Ref<Host>> targets = new ArrayList<>();
        for (DbObject<Host> h : db.all(Host.CLASS)) {
            if (!h.self(Host.CLASS).equals(host) && Boolean.TRUE.equals(h.get(Host.enabled))) targets.add(h.self(Host.CLASS));
        }
        List<DbObject<VM>> vms = residentGuests(host);
        if (targets.isEmpty()) {
            for (DbObject<VM> vm : vms) plans.put(vm.self(VM.CLASS), stays(ApiError.of("NO_HOSTS_AVAILABLE", vm.ref())));
            return plans;
        }
        var movable = new ArrayList<DbObject<VM>>();
        for (DbObject<VM> vm : vms) {
            try {
                // as XAPI: every target must be able to take the VM, memory aside
                for (Ref<Host> target : targets) checks.assertCanBootHere(vm, target, false);
                movable.add(vm);
            } catch (ApiError e) {
                plans.put(vm.self(VM.CLASS), stays(e));
            }
        }
        Map<Ref<Host>, Long> left = new HashMap<>();
        for (Ref<Host> target : targets) left.put(target, free.of(target));
        movable.sort(Comparator.comparingLong((DbObject<VM> vm) -> VmMemory.required(vm)).reversed());
        for (DbObject<VM> vm : movable) {
            long needed = VmMemory.required(vm);
            Ref<Host> to = targets.stream().filter(t -> left.get(t) >= needed).findFirst().orElse(null);
            if (to == null) {
                plans.put(vm.self(VM.CLASS), stays(ApiError.of("HOST_NOT_ENOUGH_FREE_MEMORY", vm.ref())));
            } else {
                left.merge(to, -needed, Long::sum);
                plans.put(vm.self(VM.CLASS), new Plan.MoveTo(to));
            }
        }
        return plans;
    }

    /** host.get_vms_which_prevent_evacuation: the VMs that would stay, each with its error. */
    public Map<Ref<VM>, List<String>> preventing(Ref<Host> host) {
        var out = new LinkedHashMap<Ref<VM>, List<String>>();
        plan(host).forEach((vm, p) -> { if (p instanceof Plan.Stays s) out.put(vm, s.error()); });
        return out;
    }

    /** host.assert_can_evacuate: XAPI's older form, every error in one CANNOT_EVACUATE_HOST. */
    public void assertCanEvacuate(Ref<Host> host) {
        List<String> errors = preventing(host).values().stream().map(e -> String.join(",", e)).toList();
        if (!errors.isEmpty()) throw ApiError.of("CANNOT_EVACUATE_HOST", String.join("|", errors));
    }

    /** host.evacuate: fails with the first VM's error if one would stay, else moves them all, as one operation on the host. */
    public void evacuate(Call c, Ref<Host> host, Ref<Network> network) {
        hostOps.run(c, host, HostAllowedOperations.evacuate, () -> {
            Map<Ref<VM>, Plan> plans = plan(host);
            for (Plan p : plans.values()) {
                if (p instanceof Plan.Stays s) throw new ApiError(s.error().getFirst(), s.error().subList(1, s.error().size()));
            }
            Map<String, String> options = network.isNull() ? Map.of("live", "true") : Map.of("network", network.value(), "live", "true");
            int done = 0;
            for (var e : plans.entrySet()) {
                migrator.poolMigrate(c, e.getKey(), ((Plan.MoveTo) e.getValue()).host(), options);
                c.task().progress(++done / (double) plans.size());
            }
            int remaining = residentGuests(host).size();
            if (remaining > 0) throw ApiError.internal("evacuate: " + remaining + " VMs are still resident on " + host.value());
            return null;
        });
    }

    /** The VMs resident on the host, its control domain aside. */
    private List<DbObject<VM>> residentGuests(Ref<Host> host) {
        List<DbObject<VM>> out = new ArrayList<>();
        for (Ref<VM> vm : db.related(host, Host.resident_VMs)) {
            DbObject<VM> v = db.get(vm);
            if (v != null && !Boolean.TRUE.equals(v.get(VM.is_control_domain))) out.add(v);
        }
        return out;
    }

    private static Plan stays(ApiError e) { return new Plan.Stays(List.copyOf(e.description())); }
}

package org.flotilla.host;

import static org.flotilla.model.xenapi.enums.HostAllowedOperations.*;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;

/**
 * A host's allowed and current operations, as XAPI keeps them (xapi_host_helpers.ml, valid_operations and
 * with_host_operation): an operation that brings VMs to the host (provision, vm_resume, vm_migrate) and one that
 * takes them away (evacuate, reboot, shutdown) exclude each other; reboot, shutdown and apply_updates wait for the
 * host to be disabled; power_on is for a host that is down.
 */
public final class HostOperations {
    /** The plugin XAPI powers hosts on with; Flotilla has none, as no host of its pools can be powered on remotely. */
    static final String POWER_ON_PLUGIN = "power-on-host";

    private static final Set<HostAllowedOperations> BRINGING_VMS = EnumSet.of(provision, vm_resume, vm_migrate);
    private static final Set<HostAllowedOperations> TAKING_VMS = EnumSet.of(evacuate, reboot, shutdown);

    private final Database db;

    public HostOperations(Database db) { this.db = db; }

    /** Fails with the first reason {@code op} may not start on the host now, as XAPI reports it. */
    public void assertValid(Ref<Host> host, HostAllowedOperations op) {
        DbObject<Host> h = db.require(host);
        ApiError e = reasons(h, db, h.get(Host.current_operations)).get(op);
        if (e != null) throw e;
    }

    /** Runs {@code body} listed in the host's current_operations under the call's task, as XAPI's with_host_operation. */
    public <T> T run(Call c, Ref<Host> host, HostAllowedOperations op, Supplier<T> body) {
        String key = begin(c, host, op);
        try {
            return body.get();
        } finally {
            end(host, key);
        }
    }

    /** Lists {@code op} in the host's current operations once it is valid; returns the key to end it with. */
    public String begin(Call c, Ref<Host> host, HostAllowedOperations op) {
        String key = c.operationKey();
        db.write(tx -> {
            DbObject<Host> h = tx.db().require(host);
            ApiError e = reasons(h, tx.db(), h.get(Host.current_operations)).get(op);
            if (e != null) throw e;
            var current = new LinkedHashMap<>(h.get(Host.current_operations));
            current.put(key, op);
            tx.set(host, Host.current_operations, current);
            tx.set(host, Host.allowed_operations, allowed(h, tx.db(), current));
        });
        return key;
    }

    public void end(Ref<Host> host, String key) {
        db.write(tx -> {
            DbObject<Host> h = tx.db().get(host);
            if (h == null) return;
            var current = new LinkedHashMap<>(h.get(Host.current_operations));
            current.remove(key);
            tx.set(host, Host.current_operations, current);
            tx.set(host, Host.allowed_operations, allowed(h, tx.db(), current));
        });
    }

    /** Works out the host's allowed_operations again, after a change to what they depend on. */
    public void update(Ref<Host> host) {
        db.write(tx -> {
            DbObject<Host> h = tx.db().get(host);
            if (h != null) tx.set(host, Host.allowed_operations, allowed(h, tx.db(), h.get(Host.current_operations)));
        });
    }

    /** Operations in progress when the daemon stopped will not finish: forgets them. */
    public void forgetAll(Ref<Host> host) {
        db.write(tx -> {
            DbObject<Host> h = tx.db().get(host);
            if (h == null) return;
            tx.set(host, Host.current_operations, Map.of());
            tx.set(host, Host.allowed_operations, allowed(h, tx.db(), Map.of()));
        });
    }

    private static List<HostAllowedOperations> allowed(DbObject<Host> host, Database db, Map<String, HostAllowedOperations> current) {
        Map<HostAllowedOperations, ApiError> reasons = reasons(host, db, current);
        var out = new ArrayList<HostAllowedOperations>();
        for (HostAllowedOperations op : HostAllowedOperations.values()) if (!reasons.containsKey(op)) out.add(op);
        return out;
    }

    /** XAPI's valid_operations: for each operation that may not start, its first reason. */
    private static Map<HostAllowedOperations, ApiError> reasons(DbObject<Host> host, Database db, Map<String, HostAllowedOperations> current) {
        var out = new EnumMap<HostAllowedOperations, ApiError>(HostAllowedOperations.class);
        String ref = host.ref();
        Map.Entry<String, HostAllowedOperations> bringing = firstOf(current, BRINGING_VMS);
        Map.Entry<String, HostAllowedOperations> taking = firstOf(current, TAKING_VMS);
        for (HostAllowedOperations op : HostAllowedOperations.values()) {
            if (op == power_on) continue;
            Map.Entry<String, HostAllowedOperations> other = BRINGING_VMS.contains(op) ? taking : TAKING_VMS.contains(op) ? bringing : null;
            if (other != null) refuse(out, inProgress(ref, other.getValue(), other.getKey()), op);
        }
        excludes(out, ref, current, reboot, shutdown, apply_updates);
        excludes(out, ref, current, shutdown, reboot, apply_updates);
        excludes(out, ref, current, apply_updates, reboot, shutdown, enable);
        excludes(out, ref, current, provision, provision);
        if (Boolean.TRUE.equals(host.get(Host.enabled))) refuse(out, ApiError.of("HOST_NOT_DISABLED"), reboot, shutdown, apply_updates);
        DbObject<Host_metrics> metrics = db.get(host.get(Host.metrics));
        if (metrics != null && Boolean.TRUE.equals(metrics.get(Host_metrics.live))) refuse(out, ApiError.of("HOST_IS_LIVE", ref), power_on);
        String mode = host.get(Host.power_on_mode);
        if (mode == null || mode.isEmpty()) refuse(out, ApiError.of("HOST_POWER_ON_MODE_DISABLED"), power_on);
        refuse(out, ApiError.of("XENAPI_MISSING_PLUGIN", POWER_ON_PLUGIN), power_on);
        return out;
    }

    /** While {@code running} is in progress, none of {@code refused} may start. */
    private static void excludes(Map<HostAllowedOperations, ApiError> out, String ref, Map<String, HostAllowedOperations> current,
                                 HostAllowedOperations running, HostAllowedOperations... refused) {
        for (var e : current.entrySet()) {
            if (e.getValue() == running) {
                refuse(out, inProgress(ref, running, e.getKey()), refused);
                return;
            }
        }
    }

    private static ApiError inProgress(String ref, HostAllowedOperations op, String task) {
        return ApiError.of("OTHER_OPERATION_IN_PROGRESS", Host.CLASS.name(), ref, op.wire(), task);
    }

    /** An operation keeps the first reason found against it. */
    private static void refuse(Map<HostAllowedOperations, ApiError> out, ApiError reason, HostAllowedOperations... ops) {
        for (HostAllowedOperations op : ops) out.putIfAbsent(op, reason);
    }

    private static Map.Entry<String, HostAllowedOperations> firstOf(Map<String, HostAllowedOperations> current, Set<HostAllowedOperations> ops) {
        for (var e : current.entrySet()) if (ops.contains(e.getValue())) return e;
        return null;
    }
}

package org.flotilla.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Data_source;
import org.flotilla.model.xenapi.VM;

/**
 * The data sources of this host and of the VMs running here, as host.* and VM.* {@code get_data_sources},
 * {@code record_data_source}, {@code query_data_source} and {@code forget_data_source_archives} see them over the
 * {@link Rrds}. XAPI forwards these to rrdd, whose failures come back as INTERNAL_ERROR carrying rrdd's error
 * printed as OCaml prints it; so do ours.
 */
public final class DataSources {
    private final Metrics metrics;
    private final Database db;

    DataSources(Metrics metrics) {
        this.metrics = metrics;
        this.db = metrics.db();
    }

    public List<Rec<Data_source>> ofHost() { return list(hostUuid()); }

    public void recordOfHost(String name) { record(hostUuid(), name); }

    public double queryOfHost(String name) { return query(hostUuid(), name); }

    public void forgetOfHost(String name) { forget(hostUuid(), name); }

    public List<Rec<Data_source>> of(Ref<VM> vm) { return list(uuid(vm)); }

    /** Only while the VM runs here: it has no RRD otherwise. */
    public void record(Ref<VM> vm, String name) { record(requireVmRrd(uuid(vm)), name); }

    public double query(Ref<VM> vm, String name) { return query(requireVmRrd(uuid(vm)), name); }

    public void forget(Ref<VM> vm, String name) { forget(uuid(vm), name); }

    private String hostUuid() { return metrics.rrds().hostUuid(); }

    private String uuid(Ref<VM> vm) { return db.require(vm).get(VM.uuid); }

    /** The uuid of a VM that has an RRD here (it runs here); rrdd's "missing" error otherwise. */
    private String requireVmRrd(String uuid) {
        if (metrics.rrds().with(uuid, rrd -> true).isEmpty()) throw missing("VM: " + uuid);
        return uuid;
    }

    /**
     * What the last sample reported (enabled when recorded), and what is recorded but no longer reported (then
     * disabled, its description unknown) — by name. XAPI leaves {@code value} at 0.
     */
    private List<Rec<Data_source>> list(String uuid) {
        var byName = new TreeMap<String, Rec<Data_source>>();
        var recorded = metrics.rrds().with(uuid, Rrd::dataSources).orElse(List.of());
        for (DataSource ds : metrics.live(uuid).values()) {
            boolean enabled = recorded.stream().anyMatch(r -> r.name().equals(ds.name()));
            byName.put(ds.name(), describe(ds.name(), ds.description(), enabled, true, ds.units(), ds.min(), ds.max()));
        }
        for (DataSource ds : recorded) {
            byName.putIfAbsent(ds.name(), describe(ds.name(), "description not available", false, false, "unknown", ds.min(), ds.max()));
        }
        return new ArrayList<>(byName.values());
    }

    private static Rec<Data_source> describe(String name, String description, boolean enabled, boolean standard,
                                             String units, double min, double max) {
        return Rec.empty(Data_source.CLASS)
                .set(Data_source.name_label, name)
                .set(Data_source.name_description, description)
                .set(Data_source.enabled, enabled)
                .set(Data_source.standard, standard)
                .set(Data_source.units, units)
                .set(Data_source.min, min)
                .set(Data_source.max, max)
                .set(Data_source.value, 0.0);
    }

    private void record(String uuid, String name) {
        DataSource ds = metrics.live(uuid).get(name);
        if (ds == null) throw missing(name);
        metrics.rrds().with(uuid, rrd -> { rrd.add(ds); return true; }).orElseThrow(() -> missing(name));
    }

    private double query(String uuid, String name) {
        return metrics.rrds().with(uuid, rrd -> rrd.latest(name).orElseThrow(() -> invalid(name)))
                .orElseThrow(() -> missing("No host datasource!"));
    }

    private void forget(String uuid, String name) { metrics.rrds().with(uuid, rrd -> rrd.remove(name)); }

    private static ApiError missing(String what) {
        return ApiError.of("INTERNAL_ERROR", "Rrd_interface.Rrdd_error([S(Datasource_missing);S(" + what + ")])");
    }

    private static ApiError invalid(String name) {
        return ApiError.of("INTERNAL_ERROR",
                "Rrd_interface.Rrdd_error([S(Rrdd_internal_error);S(Rrd.Invalid_data_source(\"" + name + "\"))])");
    }
}

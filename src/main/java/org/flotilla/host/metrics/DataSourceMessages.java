package org.flotilla.host.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flotilla.api.Handlers;
import org.flotilla.model.ApiError;

/**
 * host.* and VM.* {@code get_data_sources}, {@code record_data_source}, {@code query_data_source} and
 * {@code forget_data_source_archives} over this host's {@link Rrds}. XAPI forwards these to rrdd, whose
 * failures come back as INTERNAL_ERROR carrying rrdd's error printed as OCaml prints it; so do ours.
 */
final class DataSourceMessages {
    private final Metrics metrics;

    DataSourceMessages(Metrics metrics) { this.metrics = metrics; }

    void register(Handlers h) {
        h.on("host", "get_data_sources", c -> dataSources(hostUuid()))
         .on("host", "record_data_source", c -> { record(hostUuid(), c.string("data_source")); return null; })
         .on("host", "query_data_source", c -> query(hostUuid(), c.string("data_source")))
         .on("host", "forget_data_source_archives", c -> { forget(hostUuid(), c.string("data_source")); return null; })
         .on("VM", "get_data_sources", c -> dataSources(c.object("self").uuid()))
         .on("VM", "record_data_source", c -> { record(requireVmRrd(c.object("self").uuid()), c.string("data_source")); return null; })
         .on("VM", "query_data_source", c -> query(requireVmRrd(c.object("self").uuid()), c.string("data_source")))
         .on("VM", "forget_data_source_archives", c -> { forget(c.object("self").uuid(), c.string("data_source")); return null; });
    }

    private String hostUuid() { return metrics.rrds().hostUuid(); }

    /** The uuid of a VM that has an RRD here (it runs here); rrdd's "missing" error otherwise. */
    private String requireVmRrd(String uuid) {
        if (metrics.rrds().with(uuid, rrd -> true).isEmpty()) throw missing("VM: " + uuid);
        return uuid;
    }

    /**
     * What the last sample reported (enabled when recorded), and what is recorded but no longer reported (then
     * disabled, its description unknown) — by name. XAPI leaves {@code value} at 0.
     */
    private List<Map<String, Object>> dataSources(String uuid) {
        var byName = new TreeMap<String, Map<String, Object>>();
        var recorded = metrics.rrds().with(uuid, Rrd::dataSources).orElse(List.of());
        for (DataSource ds : metrics.live(uuid).values()) {
            boolean enabled = recorded.stream().anyMatch(r -> r.name().equals(ds.name()));
            byName.put(ds.name(), record(ds.name(), ds.description(), enabled, true, ds.units(), ds.min(), ds.max()));
        }
        for (DataSource ds : recorded) {
            byName.putIfAbsent(ds.name(), record(ds.name(), "description not available", false, false, "unknown", ds.min(), ds.max()));
        }
        return new ArrayList<>(byName.values());
    }

    private static Map<String, Object> record(String name, String description, boolean enabled, boolean standard,
                                              String units, double min, double max) {
        var r = new LinkedHashMap<String, Object>();
        r.put("name_label", name);
        r.put("name_description", description);
        r.put("enabled", enabled);
        r.put("standard", standard);
        r.put("units", units);
        r.put("min", min);
        r.put("max", max);
        r.put("value", 0.0);
        return r;
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

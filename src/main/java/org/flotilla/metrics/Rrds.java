package org.flotilla.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * This host's RRDs, kept in memory (and saved by {@link RrdFiles}): the host's own and one per VM running here. When a VM stops its RRD is put
 * aside and taken up again when it runs here next (XAPI archives it on the coordinator likewise). One lock
 * guards them all: the sampler updates them together, readers see whole updates.
 */
final class Rrds {
    private final String hostUuid;
    private Rrd host;
    private final Map<String, Rrd> resident = new LinkedHashMap<>();
    private final Map<String, Rrd> stopped = new HashMap<>();

    Rrds(String hostUuid) { this.hostUuid = hostUuid; }

    String hostUuid() { return hostUuid; }

    /**
     * One sample of everything at {@code time}: VMs absent from {@code vms} no longer run here. New VM RRDs get
     * MIN and MAX archives when {@code vmMinMax}; the host's always has them.
     */
    synchronized void update(double time, Map<DataSource, Double> hostReadings, Map<String, Map<DataSource, Double>> vms,
                             boolean vmMinMax) {
        if (host == null) host = new Rrd(time, true);
        host.update(time, hostReadings);
        for (String uuid : List.copyOf(resident.keySet())) {
            if (!vms.containsKey(uuid)) stopped.put(uuid, resident.remove(uuid));
        }
        vms.forEach((uuid, readings) -> {
            Rrd rrd = resident.computeIfAbsent(uuid, u -> Optional.ofNullable(stopped.remove(u)).orElseGet(() -> new Rrd(time, vmMinMax)));
            rrd.update(time, readings);
        });
    }

    /** Every RRD as rrdtool's XML dump, by owner uuid: the host's, and those of its VMs running or put aside. */
    synchronized Map<String, String> dumps() {
        var out = new LinkedHashMap<String, String>();
        if (host != null) out.put(hostUuid, RrdDump.xml(host));
        resident.forEach((uuid, rrd) -> out.put(uuid, RrdDump.xml(rrd)));
        stopped.forEach((uuid, rrd) -> out.put(uuid, RrdDump.xml(rrd)));
        return out;
    }

    /** Takes up a saved RRD: the host's, or a VM's, put aside until the VM runs here. */
    synchronized void restore(String uuid, Rrd rrd) {
        if (uuid.equals(hostUuid)) host = rrd;
        else if (!resident.containsKey(uuid)) stopped.put(uuid, rrd);
    }

    /** The RRD of VM {@code uuid}, running here or put aside, as rrdtool's XML dump; empty if it has none here. */
    synchronized Optional<String> dump(String uuid) {
        Rrd rrd = resident.containsKey(uuid) ? resident.get(uuid) : stopped.get(uuid);
        return Optional.ofNullable(rrd).map(RrdDump::xml);
    }

    /**
     * Takes up the RRD of VM {@code uuid} that another host kept while the VM ran there, in place of whatever this host
     * has of it (the few points it sampled since the VM arrived): the VM's history goes on from it.
     */
    synchronized void adopt(String uuid, Rrd rrd) {
        if (resident.containsKey(uuid)) resident.put(uuid, rrd);
        else stopped.put(uuid, rrd);
    }

    /** Forgets the RRD of VM {@code uuid}, which another host now keeps. */
    synchronized void forget(String uuid) {
        resident.remove(uuid);
        stopped.remove(uuid);
    }

    /** Forgets the put-aside RRDs of VMs that no longer exist. */
    synchronized void retainStopped(Set<String> existingVmUuids) { stopped.keySet().retainAll(existingVmUuids); }

    /** Runs {@code f} on the RRD of the host (its uuid) or of a VM running here, under the lock; empty if none. */
    synchronized <T> Optional<T> with(String uuid, Function<Rrd, T> f) {
        Rrd rrd = uuid.equals(hostUuid) ? host : resident.get(uuid);
        return rrd == null ? Optional.empty() : Optional.ofNullable(f.apply(rrd));
    }

    /** The export of /rrd_updates: the host's series if {@code withHost}, and those of the VMs running here in {@code vmUuids} (null: all). */
    synchronized Xport export(boolean withHost, List<String> vmUuids, long start, long interval, Consolidation cf) throws Xport.NoArchive {
        var sources = new ArrayList<Xport.Source>();
        if (withHost && host != null) sources.add(new Xport.Source("host:" + hostUuid + ":", host));
        resident.forEach((uuid, rrd) -> {
            if (vmUuids == null || vmUuids.contains(uuid)) sources.add(new Xport.Source("vm:" + uuid + ":", rrd));
        });
        return Xport.of(sources, start, interval, cf);
    }
}

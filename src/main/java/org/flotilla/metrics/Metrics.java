package org.flotilla.metrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_cpu;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.runtime.VmRuntime;
import org.flotilla.runtime.domain.GuestCounters;
import org.flotilla.runtime.migration.VmHistories;
import org.flotilla.vm.HeldNics;

/**
 * This host's performance metrics over time — what XAPI's xcp-rrdd and its plugins are. A virtual thread
 * samples the host and every VM running here each {@link #interval} (5 s unless told otherwise), feeds the
 * {@link Rrds}, and keeps the metrics fields of the records current through {@link MetricsRecords}. The RRDs
 * are served over HTTP by {@link RrdHttp} and through the API by {@link DataSources}.
 *
 * <p>The RRDs live in memory and are saved by {@link RrdFiles}, as XAPI saves them: at a clean shutdown and every
 * {@link #SAVE_EVERY} (so that a killed daemon loses at most that much), and loaded again at start.
 */
public final class Metrics implements AutoCloseable, VmHistories {
    private static final System.Logger LOG = System.getLogger(Metrics.class.getName());
    static final String MIN_MAX_KEY = "create_min_max_in_new_VM_RRDs";
    /** VIF runtime_properties key: the tap the VIF's NIC is on. */
    private static final String TAP_KEY = HeldNics.TAP_KEY;
    static final Duration SAVE_EVERY = Duration.ofMinutes(10);

    private final Database db;
    private final Ref<Host> hostRef;
    private final VmRuntime runtime;
    private final Rrds rrds;
    private final HostReadings hostReadings = new HostReadings(Path.of("/"));
    private final VmReadings vmReadings = new VmReadings(Path.of("/sys/class/net"));
    private final MetricsRecords records;
    private final RrdFiles files;
    /** The data sources the last sample reported, by owner uuid: what may be recorded (XAPI's "live" sources). */
    private final Map<String, Map<String, DataSource>> live = new ConcurrentHashMap<>();
    private volatile Duration interval = Duration.ofSeconds(Long.getLong("flotilla.metrics-interval", 5));
    private volatile Thread sampler;
    private volatile boolean closed;

    /** {@code rrdDir}: where the RRDs are saved across restarts (those found there are loaded now). */
    public Metrics(Database db, Ref<Host> hostRef, VmRuntime runtime, Path rrdDir) {
        this.db = db;
        this.hostRef = hostRef;
        this.runtime = runtime;
        this.rrds = new Rrds(db.require(hostRef).get(Host.uuid));
        this.records = new MetricsRecords(db);
        this.files = new RrdFiles(rrdDir);
        files.load(rrds, vmUuids()::contains);
    }

    private Set<String> vmUuids() { return db.all(VM.CLASS).stream().map(vm -> vm.get(VM.uuid)).collect(Collectors.toSet()); }

    /** Saves the RRDs now (as a clean shutdown does). */
    void save() { files.save(rrds); }

    /** How often to sample; the RRDs' step stays 5 s whatever this is (tests sample more often). */
    public void setInterval(Duration d) { interval = d; }

    /** The least time between two writes of one record's metrics fields (30 s unless told otherwise). */
    public void setRecordInterval(Duration d) { records.setMinInterval(d); }

    Rrds rrds() { return rrds; }

    Database db() { return db; }

    Map<String, DataSource> live(String uuid) { return live.getOrDefault(uuid, Map.of()); }

    /** The data sources of the host and its VMs, as the API's messages see them. */
    public DataSources dataSources() { return new DataSources(this); }

    @Override
    public Optional<String> of(String vmUuid) { return rrds.dump(vmUuid); }

    @Override
    public void adopt(String vmUuid, String history) {
        try {
            rrds.adopt(vmUuid, RrdDumpReader.read(new ByteArrayInputStream(history.getBytes(StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw ApiError.of("INVALID_VALUE", "history", "not an RRD of this host's kind: " + e.getMessage());
        }
    }

    @Override
    public void forget(String vmUuid) { rrds.forget(vmUuid); }

    /** Starts sampling on a virtual thread until {@link #close()}. */
    public synchronized void start() {
        if (sampler != null) return;
        sampler = Thread.ofVirtual().name("metrics").start(() -> {
            long saved = System.nanoTime();
            while (!closed) {
                long began = System.nanoTime();
                if (began - saved >= SAVE_EVERY.toNanos()) {
                    save();
                    saved = began;
                }
                try {
                    sample();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "metrics sample failed: " + e);
                }
                long left = interval.toNanos() - (System.nanoTime() - began);
                try {
                    Thread.sleep(Duration.ofNanos(Math.max(left, 0)));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** One sample of the host and its VMs, at the current time. */
    public synchronized void sample() {
        Instant now = Instant.now();
        long available = runtime.availableMemory();
        var host = hostReadings.read(available, pifDevices());
        var vms = new LinkedHashMap<String, Map<DataSource, Double>>();
        List<GuestCounters> counters = runtime.counters((int) Math.max(1, interval.toSeconds()));
        for (GuestCounters c : counters) vms.put(c.uuid(), vmReadings.read(c, taps(c.vmRef())));
        rrds.update(now.toEpochMilli() / 1000.0, host, vms, vmMinMax());
        live.put(rrds.hostUuid(), byName(host));
        vms.forEach((uuid, readings) -> live.put(uuid, byName(readings)));
        live.keySet().retainAll(union(vms.keySet(), rrds.hostUuid()));
        rrds.retainStopped(vmUuids());
        records.apply(wanted(available, counters), now);
    }

    private List<String> pifDevices() { return db.referring(PIF.host, hostRef).stream().map(p -> p.get(PIF.device)).toList(); }

    /** The taps of the VM's attached VIFs, by VIF device number. */
    private Map<String, String> taps(Ref<VM> vm) {
        var out = new LinkedHashMap<String, String>();
        for (DbObject<VIF> v : db.referring(VIF.VM, vm)) {
            String tap = v.get(VIF.runtime_properties).get(TAP_KEY);
            if (tap != null && v.get(VIF.currently_attached)) out.put(v.get(VIF.device), tap);
        }
        return out;
    }

    private boolean vmMinMax() {
        return db.all(Pool.CLASS).stream().anyMatch(p -> "true".equals(p.get(Pool.other_config).get(MIN_MAX_KEY)));
    }

    private List<MetricsRecords.Wanted<?>> wanted(long available, List<GuestCounters> counters) {
        var out = new ArrayList<MetricsRecords.Wanted<?>>();
        DbObject<Host> host = db.get(hostRef);
        if (host != null) {
            out.add(new MetricsRecords.Wanted<>(host.get(Host.metrics), Rec.empty(Host_metrics.CLASS).set(Host_metrics.memory_free, available),
                    Host_metrics.last_updated));
        }
        for (DbObject<Host_cpu> cpu : db.referring(Host_cpu.host, hostRef)) {
            latest(rrds.hostUuid(), "cpu" + cpu.get(Host_cpu.number)).ifPresent(u -> out.add(new MetricsRecords.Wanted<>(
                    cpu.self(Host_cpu.CLASS), Rec.empty(Host_cpu.CLASS).set(Host_cpu.utilisation, u), null)));
        }
        for (GuestCounters c : counters) {
            DbObject<VM> vm = db.get(c.vmRef());
            if (vm == null) continue;
            var fields = Rec.empty(VM_metrics.CLASS);
            if (c.memoryBytes() >= 0) fields.set(VM_metrics.memory_actual, c.memoryBytes());
            var utilisation = new LinkedHashMap<Long, Double>();
            for (int i = 0; i < c.vcpuSeconds().size(); i++) {
                long vcpu = i;
                latest(c.uuid(), "cpu" + i).ifPresent(u -> utilisation.put(vcpu, u));
            }
            if (utilisation.size() == c.vcpuSeconds().size()) fields.set(VM_metrics.VCPUs_utilisation, utilisation);
            out.add(new MetricsRecords.Wanted<>(vm.get(VM.metrics), fields, VM_metrics.last_updated));
        }
        return out;
    }

    /** The newest 5-second value of a series, if it is known. */
    private Optional<Double> latest(String uuid, String name) {
        return rrds.with(uuid, rrd -> rrd.latest(name).filter(v -> !v.isNaN()).orElse(null));
    }

    private static Map<String, DataSource> byName(Map<DataSource, Double> readings) {
        var out = new LinkedHashMap<String, DataSource>();
        readings.keySet().forEach(ds -> out.put(ds.name(), ds));
        return out;
    }

    private static Set<String> union(Set<String> a, String b) {
        var out = new java.util.HashSet<>(a);
        out.add(b);
        return out;
    }

    /** Stops sampling (a sample under way is cut short: its QMP reads are interrupted) and saves the RRDs. */
    @Override
    public void close() {
        closed = true;
        Thread t = sampler;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        save();
    }
}

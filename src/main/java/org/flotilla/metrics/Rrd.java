package org.flotilla.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A round-robin database of one host or VM, as XAPI's rrdd keeps them: readings arrive at any time, become
 * one primary data point per {@link #STEP} seconds for each data source, and are consolidated into
 * {@link Archive}s of fixed size — 5 s × 120, 1 min × 120, 1 h × 168 and 1 day × 366. Time is passed in, so the
 * arithmetic is deterministic. Not thread-safe: {@link Rrds} guards it.
 */
final class Rrd {
    static final long STEP = 5;
    /** A reading that comes longer than this after the previous one leaves the gap unknown. */
    static final double HEARTBEAT = 300;
    private static final double XFF = 0.5;
    private static final double XFF_WITH_MIN_MAX = 1.0;

    /** An archive size: {@code rows} rows of {@code perRow} steps each. */
    record Timescale(int rows, int perRow) {}

    static final List<Timescale> TIMESCALES = List.of(new Timescale(120, 1), new Timescale(120, 12),
            new Timescale(168, 720), new Timescale(366, 17280));

    /** A data source's reading state between primary data points. */
    private static final class Source {
        final DataSource ds;
        double lastReading = Double.NaN;
        /** The point being built: the value (gauge) or the increase so far (derive). */
        double value;
        double unknownSeconds;

        Source(DataSource ds) { this.ds = ds; }
    }

    private final List<Source> sources = new ArrayList<>();
    private final List<Archive> archives = new ArrayList<>();
    private double lastUpdated;

    /**
     * An empty RRD whose first reading will come at {@code now}. Every timescale has an AVERAGE archive; with
     * {@code minMax} the longer ones also have MIN and MAX archives (XAPI always gives the host's RRD those, and a
     * VM's when the pool's {@code other_config:create_min_max_in_new_VM_RRDs} is true).
     */
    Rrd(double now, boolean minMax) {
        this.lastUpdated = now;
        for (Timescale t : TIMESCALES) {
            if (minMax && t.perRow() > 1) {
                for (Consolidation cf : List.of(Consolidation.AVERAGE, Consolidation.MIN, Consolidation.MAX)) {
                    archives.add(new Archive(cf, t.rows(), t.perRow(), XFF_WITH_MIN_MAX));
                }
            } else {
                archives.add(new Archive(Consolidation.AVERAGE, t.rows(), t.perRow(), XFF));
            }
        }
    }

    /** An RRD read back from its dump: {@code archives} already hold every source's rows (see {@link #restoreSource}). */
    Rrd(double lastUpdated, List<Archive> archives) {
        this.lastUpdated = lastUpdated;
        this.archives.addAll(archives);
    }

    /**
     * A source of an RRD read back from its dump, with its last raw reading and the primary point it was
     * building. Dumps print an unknown reading as 0.0, so 0.0 is taken as unknown: a counter's first rate after
     * a restart must not be measured from zero.
     */
    void restoreSource(DataSource ds, double lastReading, double value, double unknownSeconds) {
        var s = new Source(ds);
        s.lastReading = lastReading == 0 ? Double.NaN : lastReading;
        s.value = value;
        s.unknownSeconds = unknownSeconds;
        sources.add(s);
    }

    double lastUpdated() { return lastUpdated; }

    List<Archive> archives() { return archives; }

    List<DataSource> dataSources() { return sources.stream().map(s -> s.ds).toList(); }

    /** The last raw reading of source {@code i} (NaN if unknown), for dumps. */
    double lastReading(int i) { return sources.get(i).lastReading; }

    /** The primary point being built for source {@code i}, for dumps. */
    double pointValue(int i) { return sources.get(i).value; }

    double unknownSeconds(int i) { return sources.get(i).unknownSeconds; }

    int indexOf(String name) {
        for (int i = 0; i < sources.size(); i++) if (sources.get(i).ds.name().equals(name)) return i;
        return -1;
    }

    /** Starts recording {@code ds} (no-op if it is recorded); its history so far is unknown. */
    void add(DataSource ds) {
        if (indexOf(ds.name()) >= 0) return;
        var s = new Source(ds);
        // the part of the current step before it started is unknown
        s.unknownSeconds = lastUpdated - pointStart(lastUpdated);
        sources.add(s);
        long points = (long) Math.floor(lastUpdated / STEP);
        for (Archive a : archives) a.addSource(ds, points);
    }

    /** Forgets a data source and its history; false if there was none of that name. */
    boolean remove(String name) {
        int i = indexOf(name);
        if (i < 0) return false;
        sources.remove(i);
        for (Archive a : archives) a.removeSource(i);
        return true;
    }

    /**
     * Takes the readings made at {@code time}: new data sources are added, known ones without a reading are
     * unknown for this interval. Readings are raw (a counter for DERIVE, the value for GAUGE).
     */
    void update(double time, Map<DataSource, Double> readings) {
        var byName = new java.util.HashMap<String, Double>();
        readings.forEach((ds, v) -> {
            add(ds);
            byName.put(ds.name(), v);
        });
        double interval = time - lastUpdated;
        // the clock went backwards: take it as one ordinary interval, as XAPI does
        if (interval < 0) interval = STEP;
        double lastPoint = pointStart(lastUpdated);
        double thisPoint = pointStart(time);
        int elapsed = (int) Math.round((thisPoint - lastPoint) / STEP);
        double age = time - thisPoint;
        double before = elapsed > 0 ? interval - age : interval;
        double after = elapsed > 0 ? age : 0;
        lastUpdated = time;

        double[] rates = new double[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            Double reading = byName.get(s.ds.name());
            rates[i] = rate(s, reading == null ? Double.NaN : reading, interval);
            if (Double.isNaN(rates[i])) s.unknownSeconds += before;
            else if (s.ds.kind() == DataSource.Kind.DERIVE) s.value += before * rates[i];
            else s.value = rates[i];
        }
        if (elapsed <= 0) return;

        double[] pdps = new double[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            pdps[i] = bounded(s.ds, primaryPoint(s, rates[i], thisPoint - lastPoint));
            s.unknownSeconds = Double.isNaN(rates[i]) ? after : 0;
            s.value = Double.isNaN(rates[i]) ? 0 : s.ds.kind() == DataSource.Kind.DERIVE ? after * rates[i] : rates[i];
        }
        long lastPointIndex = Math.round(lastPoint / STEP);
        for (Archive a : archives) a.consolidate(lastPointIndex, elapsed, pdps);
    }

    /** The reading as a rate (derive, absolute) or value (gauge); NaN if unknown. Remembers the reading. */
    private static double rate(Source s, double reading, double interval) {
        double previous = s.lastReading;
        s.lastReading = reading;
        if (interval > HEARTBEAT || interval <= 0 || Double.isNaN(reading)) return Double.NaN;
        return switch (s.ds.kind()) {
            case GAUGE -> reading;
            case ABSOLUTE -> reading / interval;
            // a counter that went backwards (a guest rebooted, a device replaced) gives no rate this time
            case DERIVE -> Double.isNaN(previous) || reading < previous ? Double.NaN : (reading - previous) / interval;
        };
    }

    private static double primaryPoint(Source s, double rate, double span) {
        if (s.ds.kind() != DataSource.Kind.DERIVE) return rate; // a gauge's point is its value at the step's end
        double known = span - s.unknownSeconds;
        return known <= 0 ? Double.NaN : s.value / known;
    }

    /** XAPI lets a rate exceed its maximum by up to 5% (sampling jitter) and caps it; further out it is unknown. */
    private static double bounded(DataSource ds, double v) {
        if (ds.kind() == DataSource.Kind.DERIVE && v > ds.max() && v < ds.max() * 1.05) return ds.max();
        return v < ds.min() || v > ds.max() ? Double.NaN : v;
    }

    /** The newest AVERAGE value of a data source, from the finest archive; empty if there is no such source. */
    Optional<Double> latest(String name) {
        int i = indexOf(name);
        if (i < 0) return Optional.empty();
        for (Archive a : archives) if (a.cf == Consolidation.AVERAGE) return Optional.of(a.row(i, 0));
        return Optional.of(Double.NaN);
    }

    static double pointStart(double time) { return STEP * Math.floor(time / STEP); }

    /**
     * The archives to export from for points at least every {@code interval} steps since {@code start}: those
     * of the first size (finest first) whose rows reach back to {@code start}; failing that, those of the
     * longest size. Only archives of {@code cf} (null: any).
     */
    List<Archive> bestArchives(int pointsPerRow, Consolidation cf, long start) {
        var candidates = archives.stream().filter(a -> cf == null || a.cf == cf).toList();
        if (candidates.isEmpty()) return List.of();
        long lastPoint = (long) pointStart(lastUpdated);
        for (Archive a : candidates) {
            if (reaches(a, pointsPerRow, start, lastPoint)) {
                return candidates.stream().filter(b -> b.rows == a.rows && b.perRow == a.perRow).toList();
            }
        }
        Archive longest = candidates.get(candidates.size() - 1);
        long oldest = 1 + lastPoint - STEP * (long) longest.rows * longest.perRow;
        return candidates.stream().filter(b -> reaches(b, pointsPerRow, oldest, lastPoint)).toList();
    }

    private static boolean reaches(Archive a, int pointsPerRow, long start, long lastPoint) {
        return a.perRow >= pointsPerRow && start > lastPoint - STEP * (long) a.rows * a.perRow;
    }
}

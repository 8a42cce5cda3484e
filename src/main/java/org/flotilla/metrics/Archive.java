package org.flotilla.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * One round-robin archive of an {@link Rrd} (rrdtool's RRA): for every data source a ring of {@code rows}
 * consolidated rows, each summing up {@code perRow} primary data points with one {@link Consolidation},
 * and the row being built. Rows are kept as 32-bit floats, as XAPI keeps them; a value outside the source's
 * range is stored as unknown.
 */
final class Archive {
    final Consolidation cf;
    final int rows;
    final int perRow;
    /** Share of unknown points above which a row is unknown. */
    final double xff;
    private final List<Ring> rings = new ArrayList<>();

    /** A data source's rows and the row in preparation. */
    private static final class Ring {
        final DataSource ds;
        final float[] values;
        int newest;
        double building;
        int unknownPoints;

        Ring(DataSource ds, int rows) {
            this.ds = ds;
            this.values = new float[rows];
            java.util.Arrays.fill(values, Float.NaN);
            this.newest = rows - 1;
        }

        void push(double v) {
            newest = (newest + 1) % values.length;
            values[newest] = v < ds.min() || v > ds.max() ? Float.NaN : (float) v;
        }
    }

    Archive(Consolidation cf, int rows, int perRow, double xff) {
        this.cf = cf;
        this.rows = rows;
        this.perRow = perRow;
        this.xff = xff;
    }

    /** Starts rows for a new source; the points of the current row that passed before it count as unknown. */
    void addSource(DataSource ds, long pointsSoFar) {
        var r = new Ring(ds, rows);
        r.building = cf.initial(ds);
        r.unknownPoints = (int) (pointsSoFar % perRow);
        rings.add(r);
    }

    void removeSource(int index) { rings.remove(index); }

    /** A source read back from a dump: its rows oldest first, and the row it was building. */
    void restoreSource(DataSource ds, double[] rowsOldestFirst, double building, int unknownPoints) {
        if (rowsOldestFirst.length != rows) throw new IllegalArgumentException(rowsOldestFirst.length + " rows where the archive has " + rows);
        var r = new Ring(ds, rows);
        for (double v : rowsOldestFirst) r.push(v);
        r.building = building;
        r.unknownPoints = unknownPoints;
        rings.add(r);
    }

    /** The {@code age}-th newest row of source {@code index} (0 = newest). */
    double row(int index, int age) {
        Ring r = rings.get(index);
        return r.values[Math.floorMod(r.newest - age, rows)];
    }

    /** The row being built for source {@code index} and how many of its points were unknown. */
    double building(int index) { return rings.get(index).building; }

    int unknownPoints(int index) { return rings.get(index).unknownPoints; }

    /**
     * Takes {@code elapsed} new primary points per source ({@code pdps}, one value for all of them), the first
     * of which follows the point that started at {@code lastPointIndex}: completes the rows they fill and
     * starts the next.
     */
    void consolidate(long lastPointIndex, int elapsed, double[] pdps) {
        int toRowEnd = perRow - (int) (lastPointIndex % perRow);
        int completed = elapsed < toRowEnd ? 0 : (elapsed - toRowEnd) / perRow + 1;
        fold(Math.min(toRowEnd, elapsed), pdps);
        if (completed == 0) return;
        for (Ring r : rings) r.push(r.unknownPoints > xff * perRow ? Double.NaN : finished(r));
        // whole rows covered by this one update hold the same point whatever the consolidation
        for (int i = 1; i < Math.min(completed, rows + 1); i++) {
            for (int s = 0; s < rings.size(); s++) rings.get(s).push(pdps[s]);
        }
        for (Ring r : rings) {
            r.building = cf.initial(r.ds);
            r.unknownPoints = 0;
        }
        fold((elapsed - toRowEnd) % perRow, pdps);
    }

    private void fold(int count, double[] pdps) {
        if (count == 0) return;
        for (int s = 0; s < rings.size(); s++) {
            Ring r = rings.get(s);
            if (Double.isNaN(pdps[s])) r.unknownPoints += count;
            else r.building = cf.fold(r.building, pdps[s], count, perRow);
        }
    }

    /** An average over the known points only: the unknown ones must not pull it towards zero. */
    private double finished(Ring r) {
        if (cf != Consolidation.AVERAGE || r.unknownPoints == 0) return r.building;
        int known = perRow - r.unknownPoints;
        return known <= 0 ? Double.NaN : r.building * perRow / known;
    }
}

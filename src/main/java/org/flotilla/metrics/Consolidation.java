package org.flotilla.metrics;

/** How an archive row sums up the primary data points it covers (rrdtool's consolidation functions). */
public enum Consolidation {
    AVERAGE, MIN, MAX, LAST;

    /** The value a row starts from before any point arrives, kept inside the source's range as XAPI does. */
    double initial(DataSource ds) {
        double v = switch (this) {
            case AVERAGE -> 0;
            case MIN -> Double.POSITIVE_INFINITY;
            case MAX -> Double.NEGATIVE_INFINITY;
            case LAST -> Double.NaN;
        };
        return Double.isNaN(v) ? v : Math.min(ds.max(), Math.max(ds.min(), v));
    }

    /** The row so far after {@code count} more points of value {@code pdp}, out of {@code perRow} a row holds. */
    double fold(double row, double pdp, int count, int perRow) {
        return switch (this) {
            case AVERAGE -> row + pdp * count / perRow;
            case MIN -> Math.min(row, pdp);
            case MAX -> Math.max(row, pdp);
            case LAST -> pdp;
        };
    }
}

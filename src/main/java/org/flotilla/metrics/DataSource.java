package org.flotilla.metrics;

/**
 * What one metric is: its name in the RRD (e.g. {@code cpu0}, {@code vbd_xvda_write}), how a reading becomes a
 * rate, the range a value must lie in (outside it a value is unknown), and what the API tells about it.
 */
public record DataSource(String name, Kind kind, double min, double max, String units, String description) {
    /** As rrdtool: a reading that is already the value, a count since the last reading, or a counter to differentiate. */
    public enum Kind { GAUGE, ABSOLUTE, DERIVE }

    static DataSource gauge(String name, String units, String description) {
        return new DataSource(name, Kind.GAUGE, 0, Double.POSITIVE_INFINITY, units, description);
    }

    /** A counter whose rate per second is what is recorded. */
    static DataSource rate(String name, String units, String description) {
        return new DataSource(name, Kind.DERIVE, 0, Double.POSITIVE_INFINITY, units, description);
    }

    /** A counter of busy seconds: its rate is a fraction of time between 0 and 1. */
    static DataSource fraction(String name, String description) {
        return new DataSource(name, Kind.DERIVE, 0, 1, "(fraction)", description);
    }
}

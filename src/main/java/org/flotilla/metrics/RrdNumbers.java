package org.flotilla.metrics;

import org.flotilla.model.FloatText;

/** Numbers as XAPI's RRD library prints them (in exports, dumps and JSON alike). */
final class RrdNumbers {
    private RrdNumbers() {}

    /** {@code %0.15g}, with NaN and infinities spelled as C# and JavaScript read them, and zero as {@code 0.0}. */
    static String text(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return "0.0";
        return FloatText.g(d, 15);
    }
}

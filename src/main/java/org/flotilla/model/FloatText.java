package org.flotilla.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Floats as XAPI prints them: C's {@code %.<digits>g} (the wire uses 16 digits, the RRD library 15). Callers
 * spell NaN, infinities and zero their own way, since XAPI's printers differ there.
 */
public final class FloatText {
    private FloatText() {}

    /** {@code %.<digits>g} of a finite, non-zero {@code d}: trailing zeros dropped, exponent form outside 1e-4..1e<digits>. */
    public static String g(double d, int digits) {
        var rounded = new BigDecimal(d).round(new MathContext(digits, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < digits) return rounded.stripTrailingZeros().toPlainString();
        var mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
        var abs = Math.abs(exponent);
        return mantissa + "e" + (exponent < 0 ? '-' : '+') + (abs < 10 ? "0" : "") + abs;
    }
}

package org.flotilla.cli;

import java.util.Locale;

/** Sizes as xe reads them (Record_util.bytes_of_string): a number with an optional unit, KiB/MiB/GiB/TiB or K/M/G/T. */
final class Sizes {
    private Sizes() {}

    static long bytes(String field, String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
        if (i == 0) throw CliFailure.error("Failed to parse parameter '" + field + "': expecting an integer (possibly with suffix)");
        long n = Long.parseLong(t.substring(0, i));
        long unit = switch (t.substring(i).trim().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "t", "tib" -> 1L << 40;
            default -> throw CliFailure.error("Failed to parse parameter '" + field + "': expecting an integer (possibly with suffix)");
        };
        return Math.multiplyExact(n, unit);
    }
}

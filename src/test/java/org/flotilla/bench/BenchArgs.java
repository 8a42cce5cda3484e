package org.flotilla.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code key=value} arguments the bench scripts pass on. */
final class BenchArgs {
    private BenchArgs() {}

    static Map<String, String> parse(String[] args) {
        var opts = new LinkedHashMap<String, String>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("arguments are key=value, not " + a);
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return opts;
    }
}

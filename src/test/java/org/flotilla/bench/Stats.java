package org.flotilla.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians, percentiles and ratios as the benches print them. */
final class Stats {
    private Stats() {}

    static double median(List<Double> xs) {
        var s = sorted(xs);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The nearest-rank percentile {@code p} (0 to 100). */
    static double percentile(List<Double> xs, double p) {
        var s = sorted(xs);
        int rank = (int) Math.ceil(p / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    private static List<Double> sorted(List<Double> xs) {
        if (xs.isEmpty()) throw new IllegalArgumentException("no figures");
        var s = new ArrayList<>(xs);
        Collections.sort(s);
        return s;
    }

    static String ratio(double a, double b) { return a >= 0 && b > 0 ? String.format("%.2f", a / b) : "-"; }

    static String whole(double x) { return x >= 0 ? String.format("%.0f", x) : "-"; }

    static double msSince(long t0) { return (System.nanoTime() - t0) / 1e6; }

    /**
     * CPU ms this process and its reaped children have used (utime, stime, cutime, cstime of /proc/self/stat): on a
     * loaded machine the cost of a step that its wall time hides behind other users' work. Clock ticks of 10 ms.
     */
    static double cpuMs() throws IOException { return cpuMs(11, 14); }

    /** CPU ms of this process alone (utime, stime), its children's left out. */
    static double ownCpuMs() throws IOException { return cpuMs(11, 12); }

    private static double cpuMs(int from, int to) throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long ticks = 0;
        for (int i = from; i <= to; i++) ticks += Long.parseLong(f[i]);
        return ticks * 10.0;
    }

    /** What the figures were taken beside: the machine is shared, and its load says how noisy they are. */
    static String machine() throws IOException {
        return Runtime.getRuntime().availableProcessors() + " cores, load average " + Files.readString(Path.of("/proc/loadavg")).strip();
    }
}

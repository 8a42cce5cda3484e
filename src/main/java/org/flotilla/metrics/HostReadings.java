package org.flotilla.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's own readings, from /proc and sysfs: the busy seconds of each CPU and of all on average, memory,
 * load average, and the bytes each PIF's interface has moved. {@code root} is normally {@code /}; tests point
 * it at a directory of their own files.
 */
final class HostReadings {
    /** USER_HZ: /proc/stat counts in hundredths of a second. */
    private static final double TICKS = 100;
    private final Path root;

    HostReadings(Path root) { this.root = root; }

    Map<DataSource, Double> read(long availableMemory, List<String> pifDevices) {
        var out = new LinkedHashMap<DataSource, Double>();
        cpus(out);
        long totalKib = meminfoKib("MemTotal");
        if (totalKib >= 0) out.put(DataSource.gauge("memory_total_kib", "KiB", "Total amount of memory in the host"), (double) totalKib);
        out.put(DataSource.gauge("memory_free_kib", "KiB", "Memory the host can still give to new VMs"), availableMemory / 1024.0);
        loadavg(out);
        for (String dev : pifDevices) {
            Path stats = root.resolve("sys/class/net").resolve(dev).resolve("statistics");
            out.put(DataSource.rate("pif_" + dev + "_rx", "B/s", "Bytes per second received on physical interface " + dev),
                    counter(stats.resolve("rx_bytes")));
            out.put(DataSource.rate("pif_" + dev + "_tx", "B/s", "Bytes per second sent on physical interface " + dev),
                    counter(stats.resolve("tx_bytes")));
        }
        return out;
    }

    /** Busy = everything but idle and iowait; guest time is already inside user time. */
    private void cpus(Map<DataSource, Double> out) {
        double sum = 0;
        int n = 0;
        for (String line : lines(root.resolve("proc/stat"))) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;
            String[] f = line.trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) busy += i < f.length ? Long.parseLong(f[i]) : 0;
            double seconds = busy / TICKS;
            String cpu = f[0].substring(3);
            out.put(DataSource.fraction("cpu" + cpu, "Physical cpu usage for cpu " + cpu), seconds);
            sum += seconds;
            n++;
        }
        if (n > 0) out.put(DataSource.fraction("cpu_avg", "Average physical cpu usage"), sum / n);
    }

    private void loadavg(Map<DataSource, Double> out) {
        var l = lines(root.resolve("proc/loadavg"));
        if (l.isEmpty()) return;
        out.put(DataSource.gauge("loadavg", "(fraction)", "Control domain loadavg"), Double.parseDouble(l.get(0).split(" ")[0]));
    }

    private long meminfoKib(String key) {
        for (String l : lines(root.resolve("proc/meminfo"))) {
            if (l.startsWith(key + ":")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /** A counter file's value, or NaN if the interface has gone. */
    static double counter(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static List<String> lines(Path p) {
        try { return Files.readAllLines(p); } catch (IOException e) { return List.of(); }
    }
}

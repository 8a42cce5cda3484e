package org.flotilla.runtime.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.qemu.QmpException;

/**
 * Reads a {@link Domain}'s counters over its existing QMP connection: {@code query-cpus-fast} for the vCPU
 * threads (whose CPU time /proc gives), {@code query-balloon}, the balloon's {@code guest-stats}, and
 * {@code query-blockstats}. The first time it asks the guest's balloon driver to report every few seconds.
 */
public final class DomainCounters {
    static final String BALLOON = "/machine/peripheral/balloon0";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on every Linux architecture we run on). */
    private static final double TICKS = 100;
    private static final Pattern DISK = Pattern.compile("^/machine/peripheral/vbd(\\d+)(/.*)?$");
    private static final Pattern NODE = Pattern.compile("^vbd(\\d+)-.*");

    private DomainCounters() {}

    public static GuestCounters read(Domain d, int statsSeconds) throws QmpException {
        if (!d.statsPolling) {
            d.qmp.execute("qom-set", Map.of("path", BALLOON, "property", "guest-stats-polling-interval", "value", statsSeconds), TIMEOUT);
            d.statsPolling = true;
        }
        var vcpus = new ArrayList<Double>();
        for (JsonNode cpu : d.qmp.execute("query-cpus-fast", Map.of(), TIMEOUT)) {
            vcpus.add(threadSeconds(d.pid, cpu.path("thread-id").asLong()));
        }
        long memory = d.qmp.execute("query-balloon", Map.of(), TIMEOUT).path("actual").asLong(-1);
        JsonNode stats = d.qmp.execute("qom-get", Map.of("path", BALLOON, "property", "guest-stats"), TIMEOUT).path("stats");
        return new GuestCounters(d.vmRef, d.uuid, vcpus, memory, freeKib(stats), disks(d));
    }

    /** MemAvailable as the guest reports it, or MemFree from kernels too old to report that; -1 if neither yet. */
    private static long freeKib(JsonNode stats) {
        for (String key : List.of("stat-available-memory", "stat-free-memory")) {
            long bytes = stats.path(key).asLong(-1); // QEMU sends 2^64-1 for "not reported", which reads as -1
            if (bytes >= 0) return bytes / 1024;
        }
        return -1;
    }

    private static Map<String, GuestCounters.DiskBytes> disks(Domain d) throws QmpException {
        var out = new LinkedHashMap<String, GuestCounters.DiskBytes>();
        for (JsonNode b : d.qmp.execute("query-blockstats", Map.of(), TIMEOUT)) {
            String userdevice = userdevice(b);
            if (userdevice == null) continue;
            JsonNode s = b.path("stats");
            out.merge(userdevice, new GuestCounters.DiskBytes(s.path("rd_bytes").asLong(), s.path("wr_bytes").asLong()),
                    (x, y) -> new GuestCounters.DiskBytes(x.read() + y.read(), x.written() + y.written()));
        }
        return out;
    }

    /** The VBD userdevice a query-blockstats entry belongs to, from the guest device or else the node name. */
    static String userdevice(JsonNode blockstats) {
        Matcher m = DISK.matcher(blockstats.path("qdev").asText(""));
        if (m.matches()) return m.group(1);
        m = NODE.matcher(blockstats.path("node-name").asText(""));
        return m.matches() ? m.group(1) : null;
    }

    /** utime + stime of one thread of a process, in seconds; NaN if it has gone. */
    static double threadSeconds(long pid, long tid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/stat"));
            // the command name may hold spaces and parentheses: fields are counted after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}

package org.flotilla.host.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;

/**
 * Keeps the metrics fields of the records (host_metrics.memory_free, host_cpu.utilisation,
 * VM_metrics.memory_actual and VCPUs_utilisation) near the sampled values without flooding the journal:
 * an object is written only when a value moved meaningfully, at most once per {@code minInterval}, and all
 * objects due go in one transaction per sample (one fsync).
 */
final class MetricsRecords {
    /** Memory moves that matter: 1 MiB, or 1% of the value. */
    private static final long MEMORY_STEP = 1 << 20;
    /** Utilisation moves that matter: one hundredth of a CPU. */
    private static final double UTILISATION_STEP = 0.01;

    private final Database db;
    private final Map<String, Instant> lastWritten = new HashMap<>();
    private volatile Duration minInterval = Duration.ofSeconds(30);

    MetricsRecords(Database db) { this.db = db; }

    void setMinInterval(Duration d) { minInterval = d; }

    /** What a sample says each object's fields should be: class, ref → field → value. */
    record Wanted(String className, String ref, Map<String, Object> fields) {}

    void apply(Iterable<Wanted> wanted, Instant now) {
        var due = new LinkedHashMap<Wanted, DbObject<?>>();
        for (Wanted w : wanted) {
            if (Refs.isNull(w.ref())) continue;
            DbObject<?> cur = db.get(w.className(), w.ref());
            if (cur == null || !changed(cur, w.fields())) continue;
            Instant last = lastWritten.get(w.ref());
            if (last != null && now.isBefore(last.plus(minInterval))) continue;
            due.put(w, cur);
        }
        if (due.isEmpty()) return;
        db.write(tx -> due.forEach((w, cur) -> {
            w.fields().forEach((k, v) -> tx.set(w.className(), w.ref(), k, v));
            if (cur.fields().containsKey("last_updated")) tx.set(w.className(), w.ref(), "last_updated", now);
        }));
        due.keySet().forEach(w -> lastWritten.put(w.ref(), now));
        lastWritten.keySet().removeIf(ref -> db.classOf(ref).isEmpty());
    }

    private static boolean changed(DbObject<?> cur, Map<String, Object> fields) {
        for (var e : fields.entrySet()) if (differs(cur.get(e.getKey()), e.getValue())) return true;
        return false;
    }

    static boolean differs(Object was, Object now) {
        return switch (now) {
            case Long n when was instanceof Long w -> Math.abs(n - w) >= Math.max(MEMORY_STEP, Math.abs(w) / 100);
            case Double n when was instanceof Double w -> Math.abs(n - w) >= UTILISATION_STEP;
            case Map<?, ?> n when was instanceof Map<?, ?> w -> !n.keySet().equals(w.keySet())
                    || n.keySet().stream().anyMatch(k -> differs(w.get(k), n.get(k)));
            default -> !now.equals(was);
        };
    }
}

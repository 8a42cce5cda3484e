package org.flotilla.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Field;
import org.flotilla.model.Member;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.vm.Records;

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
    private final Map<Ref<?>, Instant> lastWritten = new HashMap<>();
    private volatile Duration minInterval = Duration.ofSeconds(30);

    MetricsRecords(Database db) { this.db = db; }

    void setMinInterval(Duration d) { minInterval = d; }

    /** What a sample says an object's fields should be, and the field that says when it was last updated, if it has one. */
    record Wanted<C>(Ref<C> ref, Rec<C> fields, Field<C, Instant> lastUpdated) {}

    void apply(Iterable<Wanted<?>> wanted, Instant now) {
        var due = new ArrayList<Wanted<?>>();
        for (Wanted<?> w : wanted) if (due(w, now)) due.add(w);
        if (due.isEmpty()) return;
        db.write(tx -> due.forEach(w -> write(tx, w, now)));
        due.forEach(w -> lastWritten.put(w.ref(), now));
        lastWritten.keySet().removeIf(ref -> !db.exists(ref));
    }

    private <C> boolean due(Wanted<C> w, Instant now) {
        if (w.ref().isNull()) return false;
        DbObject<C> cur = db.get(w.ref());
        if (cur == null || !changed(cur, w.fields())) return false;
        Instant last = lastWritten.get(w.ref());
        return last == null || !now.isBefore(last.plus(minInterval));
    }

    private static <C> void write(Database.Tx tx, Wanted<C> w, Instant now) {
        Records.stage(tx, w.ref(), w.fields());
        if (w.lastUpdated() != null) tx.set(w.ref(), w.lastUpdated(), now);
    }

    private static <C> boolean changed(DbObject<C> cur, Rec<C> fields) {
        for (Member<C> m : fields.cls().members()) {
            if (m instanceof Field<C, ?> f && fields.has(f) && differs(cur.get(f), fields.get(f))) return true;
        }
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

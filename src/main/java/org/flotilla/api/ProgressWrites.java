package org.flotilla.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flotilla.db.Database;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;

/**
 * Tasks' progress, written to the pool's database behind the work that reports it: an operation that watches
 * something (a migration polling QEMU) must not wait on a write through the pool's coordinator at each step, nor see
 * the moment it watches for that much later. Only the latest value of each task is written; once a task is
 * {@link #settled} none of its progress is written any more, so a late write never undoes the task's end.
 */
final class ProgressWrites {
    private final Database db;
    private final Map<Ref<Task>, Double> latest = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Held while one value is written, so that settling a task waits for a write of it under way. */
    private final Object writing = new Object();

    ProgressWrites(Database db) { this.db = db; }

    void report(Ref<Task> ref, double fraction) {
        latest.put(ref, Math.max(0, Math.min(1, fraction)));
        if (draining.compareAndSet(false, true)) Thread.ofVirtual().name("task-progress").start(this::drain);
    }

    private void drain() {
        do {
            for (Ref<Task> ref : latest.keySet()) write(ref);
            draining.set(false);
        } while (!latest.isEmpty() && draining.compareAndSet(false, true));
    }

    private void write(Ref<Task> ref) {
        synchronized (writing) {
            Double fraction = latest.remove(ref);
            if (fraction != null && db.exists(ref)) db.write(tx -> tx.set(ref, Task.progress, fraction));
        }
    }

    /** From now on nothing of {@code ref}'s reported progress is written; a write under way has ended. */
    void settled(Ref<Task> ref) {
        synchronized (writing) {
            latest.remove(ref);
        }
    }
}

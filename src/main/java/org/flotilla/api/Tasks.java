package org.flotilla.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/**
 * Long operations as task objects: Async.* calls run on a virtual thread of their own and report
 * progress, result or error through their task, which clients watch with event.from.
 */
public final class Tasks {
    /**
     * XAPI's bounds on tasks (xapi_globs.ml), kept by {@link #collect()}.
     *
     * @param completedTimeout how long a finished task is kept
     * @param pendingTimeout   how old a pending task may grow while its progress moves
     * @param maxTasks         beyond this many tasks the oldest finished ones go first; pending ones never for number alone
     */
    public record Limits(Duration completedTimeout, Duration pendingTimeout, int maxTasks) {
        public static Limits xapi() { return new Limits(Duration.ofMinutes(65), Duration.ofHours(24), 200); }
    }

    private final Database db;
    private final Supplier<String> thisHost;
    /** How a result is written into task.result: an XML-RPC {@code <value>} even for JSON-RPC clients. */
    private final Function<Object, String> resultEncoder;
    private final Limits limits;
    private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();
    /** The session that made each task (XAPI's hidden task.session): a session with a task in progress is kept. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    /** Progress of the pending tasks past pendingTimeout at the last pass: those that did not move since are hung. */
    private Map<String, Double> probation = Map.of();

    public Tasks(Database db, Supplier<String> thisHost, Function<Object, String> resultEncoder, Limits limits) {
        this.db = db;
        this.thisHost = thisHost;
        this.resultEncoder = resultEncoder;
        this.limits = limits;
    }

    public String create(String label, String description, String session) {
        String ref = Refs.newRef();
        if (!Refs.isNull(session)) owners.put(ref, session);
        db.write(tx -> tx.put("task", ref, Map.of(
                "uuid", Refs.newUuid(),
                "name_label", label,
                "name_description", description,
                "created", Instant.now(),
                "status", "pending",
                "resident_on", thisHost.get(),
                "allowed_operations", List.of("cancel"))));
        return ref;
    }

    /** Starts {@code work} under a new task and returns the task at once. */
    public String runAsync(String label, String session, java.util.function.Function<TaskContext, Object> work) {
        String ref = create(label, "", session);
        Thread.ofVirtual().name("task " + label).start(() -> {
            try {
                Object result = work.apply(context(ref));
                finish(ref, "success", resultEncoder.apply(result), List.of());
            } catch (ApiError e) {
                boolean cancelled = e.code().equals("TASK_CANCELLED");
                finish(ref, cancelled ? "cancelled" : "failure", "", e.description());
            } catch (RuntimeException | Error e) {
                finish(ref, "failure", "", ApiError.internal(String.valueOf(e)).description());
            } finally {
                cancelRequested.remove(ref);
            }
        });
        return ref;
    }

    TaskContext context(String ref) {
        return new TaskContext() {
            @Override public String ref() { return ref; }

            @Override public void progress(double fraction) {
                if (db.get("task", ref) != null) db.write(tx -> tx.set("task", ref, "progress", Math.max(0, Math.min(1, fraction))));
            }

            @Override public void checkCancelled() {
                if (cancelRequested.contains(ref)) throw ApiError.of("TASK_CANCELLED", ref);
            }
        };
    }

    private void finish(String ref, String status, String result, List<String> errorInfo) {
        if (db.get("task", ref) == null) return; // destroyed while running
        db.write(tx -> {
            tx.set("task", ref, "status", status);
            tx.set("task", ref, "progress", 1.0);
            tx.set("task", ref, "result", result);
            tx.set("task", ref, "error_info", errorInfo);
            tx.set("task", ref, "finished", Instant.now());
            tx.set("task", ref, "allowed_operations", List.of());
        });
    }

    /**
     * XAPI's task GC (db_gc_util.ml, timeout_tasks): finished tasks go after completedTimeout; pending ones older than
     * pendingTimeout go once their progress has not moved between two passes; and while more than maxTasks remain,
     * the oldest finished ones go.
     */
    public synchronized void collect() {
        Instant now = Instant.now();
        var doomed = new ArrayList<String>();
        var youngFinished = new ArrayList<DbObject<?>>();
        int young = 0;
        var nextProbation = new HashMap<String, Double>();
        for (DbObject<?> t : db.all("task")) {
            if (finished(t)) {
                if (((Instant) t.get("finished")).isBefore(now.minus(limits.completedTimeout()))) doomed.add(t.ref());
                else { youngFinished.add(t); young++; }
            } else if (((Instant) t.get("created")).isBefore(now.minus(limits.pendingTimeout()))) {
                double progress = (Double) t.get("progress");
                Double before = probation.get(t.ref());
                nextProbation.put(t.ref(), progress);
                if (before != null && progress <= before) doomed.add(t.ref()); else young++;
            } else {
                young++;
            }
        }
        probation = nextProbation;
        youngFinished.sort(Comparator.comparing(t -> (Instant) t.get("finished")));
        for (int i = 0; i < Math.min(young - limits.maxTasks(), youngFinished.size()); i++) doomed.add(youngFinished.get(i).ref());
        if (!doomed.isEmpty()) db.write(tx -> { for (String t : doomed) if (tx.db().get("task", t) != null) tx.delete("task", t); });
        owners.keySet().removeIf(t -> db.get("task", t) == null);
    }

    /** The sessions with a task of theirs still pending or being cancelled. */
    public Set<String> sessionsWithTasksInProgress() {
        var out = new HashSet<String>();
        owners.forEach((task, session) -> {
            DbObject<?> t = db.get("task", task);
            if (t != null && !finished(t)) out.add(session);
        });
        return out;
    }

    private static boolean finished(DbObject<?> task) {
        String status = task.string("status");
        return !status.equals("pending") && !status.equals("cancelling");
    }

    public void cancel(String ref) {
        DbObject<?> t = db.require("task", ref);
        if (!t.string("status").equals("pending")) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "task " + ref + " is " + t.string("status"));
        }
        cancelRequested.add(ref);
        db.write(tx -> tx.set("task", ref, "status", "cancelling"));
    }

    public void register(Handlers h) {
        h.on("task", "create", c -> create(c.string("label"), c.string("description"), c.session()))
         .on("task", "cancel", c -> { cancel(c.ref("task")); return null; })
         .on("task", "destroy", c -> {
             db.write(tx -> tx.delete("task", c.ref("self")));
             owners.remove(c.ref("self"));
             return null;
         })
         .on("task", "set_status", c -> { db.write(tx -> tx.set("task", c.ref("self"), "status", c.string("value"))); return null; })
         .on("task", "set_progress", c -> { db.write(tx -> tx.set("task", c.ref("self"), "progress", c.real("value"))); return null; });
    }
}

package org.flotilla.api;

import java.time.Instant;
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
    private final Database db;
    private final Supplier<String> thisHost;
    /** How a result is written into task.result: an XML-RPC {@code <value>} even for JSON-RPC clients. */
    private final Function<Object, String> resultEncoder;
    private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();

    public Tasks(Database db, Supplier<String> thisHost, Function<Object, String> resultEncoder) {
        this.db = db;
        this.thisHost = thisHost;
        this.resultEncoder = resultEncoder;
    }

    public String create(String label, String description, String session) {
        String ref = Refs.newRef();
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

    /** Forgets tasks finished longer than {@code ageMillis} ago, as XAPI does after 65 minutes. */
    public void forgetFinished(long ageMillis) {
        Instant horizon = Instant.now().minusMillis(ageMillis);
        for (DbObject t : db.all("task")) {
            boolean finished = !t.string("status").equals("pending") && !t.string("status").equals("cancelling");
            if (finished && ((Instant) t.get("finished")).isBefore(horizon)) {
                db.write(tx -> { if (tx.db().get("task", t.ref()) != null) tx.delete("task", t.ref()); });
            }
        }
    }

    public void cancel(String ref) {
        DbObject t = db.require("task", ref);
        if (!t.string("status").equals("pending")) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "task " + ref + " is " + t.string("status"));
        }
        cancelRequested.add(ref);
        db.write(tx -> tx.set("task", ref, "status", "cancelling"));
    }

    public void register(Handlers h) {
        h.on("task", "create", c -> create(c.string("label"), c.string("description"), c.session()))
         .on("task", "cancel", c -> { cancel(c.ref("task")); return null; })
         .on("task", "destroy", c -> { db.write(tx -> tx.delete("task", c.ref("self"))); return null; })
         .on("task", "set_status", c -> { db.write(tx -> tx.set("task", c.ref("self"), "status", c.string("value"))); return null; })
         .on("task", "set_progress", c -> { db.write(tx -> tx.set("task", c.ref("self"), "progress", c.real("value"))); return null; });
    }
}

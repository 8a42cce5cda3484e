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
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.enums.TaskAllowedOperations;
import org.flotilla.model.xenapi.enums.TaskStatusType;

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
    private final Supplier<Ref<Host>> thisHost;
    /** How a result is written into task.result: an XML-RPC {@code <value>} even for JSON-RPC clients. */
    private final Function<Object, String> resultEncoder;
    private final Limits limits;
    private final Set<Ref<Task>> cancelRequested = ConcurrentHashMap.newKeySet();
    /** The session that made each task (XAPI's hidden task.session): a session with a task in progress is kept. */
    private final Map<Ref<Task>, Ref<Session>> owners = new ConcurrentHashMap<>();
    private final ProgressWrites progress;
    /** Progress of the pending tasks past pendingTimeout at the last pass: those that did not move since are hung. */
    private Map<Ref<Task>, Double> probation = Map.of();

    public Tasks(Database db, Supplier<Ref<Host>> thisHost, Function<Object, String> resultEncoder, Limits limits) {
        this.db = db;
        this.thisHost = thisHost;
        this.resultEncoder = resultEncoder;
        this.limits = limits;
        this.progress = new ProgressWrites(db);
    }

    public Ref<Task> create(String label, String description, Ref<Session> session) {
        Ref<Task> ref = Refs.newRef(Task.CLASS);
        if (!session.isNull()) owners.put(ref, session);
        db.write(tx -> tx.put(ref, db.newRecord(Task.CLASS)
                .set(Task.uuid, Refs.newUuid())
                .set(Task.name_label, label)
                .set(Task.name_description, description)
                .set(Task.created, Instant.now())
                .set(Task.status, TaskStatusType.pending)
                .set(Task.resident_on, thisHost.get())
                .set(Task.allowed_operations, List.of(TaskAllowedOperations.cancel))));
        return ref;
    }

    /** Starts {@code work} under a new task and returns the task at once. */
    public Ref<Task> runAsync(String label, Ref<Session> session, Function<TaskContext, Object> work) {
        Ref<Task> ref = create(label, "", session);
        Thread.ofVirtual().name("task " + label).start(() -> {
            try {
                Object result = work.apply(context(ref));
                complete(ref, resultEncoder.apply(result));
            } catch (ApiError e) {
                fail(ref, e);
            } catch (RuntimeException | Error e) {
                fail(ref, ApiError.internal(String.valueOf(e)));
            }
        });
        return ref;
    }

    /**
     * The task a client made and named to an HTTP handler ({@code task_id}), for the handler to report to and end:
     * HANDLE_INVALID if there is none, as XAPI's forwarded tasks.
     */
    public HttpTask httpTask(Ref<Task> ref) {
        if (!db.exists(ref)) throw ApiError.handleInvalid(ref);
        TaskContext context = context(ref);
        return new HttpTask() {
            @Override public Ref<Task> ref() { return ref; }
            @Override public void progress(double fraction) { context.progress(fraction); }
            @Override public void checkCancelled() { context.checkCancelled(); }
            @Override public void success() { complete(ref, null); }
            @Override public void success(Object result) { complete(ref, resultEncoder.apply(result)); }
            @Override public void failure(ApiError error) { fail(ref, error); }
        };
    }

    /**
     * A new task that is a part of {@code parent} (its subtask_of), for one part of an HTTP request's work, e.g. one VM
     * of an OVA: reported to and ended as the request's own task is.
     */
    public HttpTask subtask(Ref<Task> parent, String label, Ref<Session> session) {
        Ref<Task> ref = create(label, "", session);
        db.write(tx -> tx.set(ref, Task.subtask_of, parent));
        return httpTask(ref);
    }

    TaskContext context(Ref<Task> ref) {
        return new TaskContext() {
            @Override public Ref<Task> ref() { return ref; }

            @Override public void progress(double fraction) { progress.report(ref, fraction); }

            @Override public void checkCancelled() {
                if (cancelRequested.contains(ref)) throw ApiError.of("TASK_CANCELLED", ref.value());
            }
        };
    }

    /** XAPI's TaskHelper.complete: success, and {@code result} (an encoded value) in task.result unless it is null. */
    private void complete(Ref<Task> ref, String result) { end(ref, TaskStatusType.success, result, List.of()); }

    /** XAPI's TaskHelper.failed: failure with the error in error_info, or cancelled for TASK_CANCELLED. */
    private void fail(Ref<Task> ref, ApiError error) {
        boolean cancelled = error.code().equals("TASK_CANCELLED");
        end(ref, cancelled ? TaskStatusType.cancelled : TaskStatusType.failure, null, error.description());
    }

    /** Ends a task still under way; one destroyed meanwhile, or ended already, is left as it is (XAPI ends pending tasks only). */
    private void end(Ref<Task> ref, TaskStatusType status, String result, List<String> errorInfo) {
        progress.settled(ref);
        cancelRequested.remove(ref);
        db.write(tx -> {
            DbObject<Task> t = tx.db().get(ref);
            if (t == null || finished(t)) return;
            tx.set(ref, Task.status, status);
            tx.set(ref, Task.progress, 1.0);
            if (result != null) tx.set(ref, Task.result, result);
            tx.set(ref, Task.error_info, errorInfo);
            tx.set(ref, Task.finished, Instant.now());
            tx.set(ref, Task.allowed_operations, List.of());
        });
    }

    /**
     * XAPI's task GC (db_gc_util.ml, timeout_tasks), over the tasks resident on this host: finished tasks go after completedTimeout; pending ones older than
     * pendingTimeout go once their progress has not moved between two passes; and while more than maxTasks remain,
     * the oldest finished ones go.
     */
    public synchronized void collect() {
        Instant now = Instant.now();
        var doomed = new ArrayList<Ref<Task>>();
        var youngFinished = new ArrayList<DbObject<Task>>();
        int young = 0;
        var nextProbation = new HashMap<Ref<Task>, Double>();
        for (DbObject<Task> t : db.referring(Task.resident_on, thisHost.get())) {
            Ref<Task> ref = t.self(Task.CLASS);
            if (finished(t)) {
                if (t.get(Task.finished).isBefore(now.minus(limits.completedTimeout()))) doomed.add(ref);
                else { youngFinished.add(t); young++; }
            } else if (t.get(Task.created).isBefore(now.minus(limits.pendingTimeout()))) {
                double progress = t.get(Task.progress);
                Double before = probation.get(ref);
                nextProbation.put(ref, progress);
                if (before != null && progress <= before) doomed.add(ref); else young++;
            } else {
                young++;
            }
        }
        probation = nextProbation;
        youngFinished.sort(Comparator.comparing(t -> t.get(Task.finished)));
        for (int i = 0; i < Math.min(young - limits.maxTasks(), youngFinished.size()); i++) doomed.add(youngFinished.get(i).self(Task.CLASS));
        if (!doomed.isEmpty()) db.write(tx -> { for (Ref<Task> t : doomed) if (tx.db().exists(t)) tx.delete(t); });
        owners.keySet().removeIf(t -> !db.exists(t));
    }

    /** The sessions with a task of theirs still pending or being cancelled. */
    public Set<Ref<Session>> sessionsWithTasksInProgress() {
        var out = new HashSet<Ref<Session>>();
        owners.forEach((task, session) -> {
            DbObject<Task> t = db.get(task);
            if (t != null && !finished(t)) out.add(session);
        });
        return out;
    }

    private static boolean finished(DbObject<Task> task) {
        TaskStatusType status = task.get(Task.status);
        return status != TaskStatusType.pending && status != TaskStatusType.cancelling;
    }

    public void cancel(Ref<Task> ref) {
        DbObject<Task> t = db.require(ref);
        TaskStatusType status = t.get(Task.status);
        if (status != TaskStatusType.pending) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "task " + ref.value() + " is " + status.wire());
        }
        cancelRequested.add(ref);
        db.write(tx -> tx.set(ref, Task.status, TaskStatusType.cancelling));
    }

    public void destroy(Ref<Task> ref) {
        db.write(tx -> tx.delete(ref));
        owners.remove(ref);
    }

    public void setStatus(Ref<Task> ref, TaskStatusType status) { db.write(tx -> tx.set(ref, Task.status, status)); }

    public void setProgress(Ref<Task> ref, double progress) { db.write(tx -> tx.set(ref, Task.progress, progress)); }
}

package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.xenapi.enums.TaskAllowedOperations;
import org.flotilla.model.xenapi.enums.TaskStatusType;

/** A long operation, started by an Async. call or made by a client: its progress, result or error. */
public interface Task {
    ApiClass<Task> CLASS = ApiClass.declare(Task.class, "task", Shape.TRANSIENT)
            .doc("A long operation, started by an Async. call or made by a client: its progress, result or error.");

    Field<Task, String> uuid = CLASS.dyn("uuid", STRING).doc("The task's unique identifier.");
    Field<Task, String> name_label = CLASS.dyn("name_label", STRING).doc("What the task does, e.g. Async.VM.start.");
    Field<Task, String> name_description = CLASS.dyn("name_description", STRING).doc("More about what the task does.");
    Field<Task, List<TaskAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(TaskAllowedOperations.class)))
            .doc("cancel while the task is pending; nothing once it has finished.");
    Field<Task, Map<String, TaskAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(TaskAllowedOperations.class)))
            .doc("The operations under way on the task; Flotilla lists none.");
    Field<Task, Instant> created = CLASS.dyn("created", DATETIME).doc("When the task was made.");
    Field<Task, Instant> finished = CLASS.dyn("finished", DATETIME).doc("When the task finished.");
    Field<Task, TaskStatusType> status = CLASS.dyn("status", enumOf(TaskStatusType.class))
            .doc("pending, cancelling, success, failure or cancelled.");
    Field<Task, Ref<Host>> resident_on = CLASS.dyn("resident_on", ref(Host.class)).doc("The host that runs the task.");
    Field<Task, Double> progress = CLASS.dyn("progress", FLOAT).doc("How far the task has come, from 0 to 1.");
    Field<Task, String> type = CLASS.dyn("type", STRING).doc("The type of the result; Flotilla leaves it empty.");
    Field<Task, String> result = CLASS.dyn("result", STRING)
            .doc("When the task succeeded, its result as XML-RPC writes it (e.g. <value>OpaqueRef:...</value>).");
    Field<Task, List<String>> error_info = CLASS.dyn("error_info", STRING_SET)
            .doc("When the task failed, its error: the code and its parameters.");
    Field<Task, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP).doc("Key/value pairs clients keep on the task.");
    Field<Task, Ref<Task>> subtask_of = CLASS.dyn("subtask_of", ref(Task.class)).doc("The task this is a part of; NULL.");
    Relation<Task, Task> subtasks = CLASS.relation("subtasks", () -> Task.subtask_of).doc("The tasks that are parts of this one.");
    Field<Task, String> backtrace = CLASS.dyn("backtrace", STRING, "()")
            .doc("Where a failure happened, for debugging; Flotilla leaves it ().");

    /** The messages of task that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a pending task for an operation the client drives itself, e.g. an HTTP import.")
        @Api(role = Access.READ_ONLY)
        Ref<Task> create(String label, String description);

        @Doc("Ask the operation behind a pending task to stop; it ends cancelled once it notices.")
        @Api(role = Access.READ_ONLY, async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void cancel(Ref<Task> task);

        @Doc("Forget a task; finished tasks are also forgotten after a while.")
        @Api(role = Access.READ_ONLY)
        void destroy(Ref<Task> self);

        @Doc("Set the status of a task the client made.")
        @Api(role = Access.READ_ONLY)
        void set_status(Ref<Task> self, TaskStatusType value);

        @Doc("Set the progress (0 to 1) of a task the client made.")
        @Api(role = Access.READ_ONLY)
        void set_progress(Ref<Task> self, double value);
    }
}

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

/** The XenAPI's class task. */
public interface Task {
    ApiClass<Task> CLASS = ApiClass.declare(Task.class, "task", Shape.TRANSIENT);

    Field<Task, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Task, String> name_label = CLASS.dyn("name_label", STRING);
    Field<Task, String> name_description = CLASS.dyn("name_description", STRING);
    Field<Task, List<TaskAllowedOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(TaskAllowedOperations.class)));
    Field<Task, Map<String, TaskAllowedOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(TaskAllowedOperations.class)));
    Field<Task, Instant> created = CLASS.dyn("created", DATETIME);
    Field<Task, Instant> finished = CLASS.dyn("finished", DATETIME);
    Field<Task, TaskStatusType> status = CLASS.dyn("status", enumOf(TaskStatusType.class));
    Field<Task, Ref<Host>> resident_on = CLASS.dyn("resident_on", ref(Host.class));
    Field<Task, Double> progress = CLASS.dyn("progress", FLOAT);
    Field<Task, String> type = CLASS.dyn("type", STRING);
    Field<Task, String> result = CLASS.dyn("result", STRING);
    Field<Task, List<String>> error_info = CLASS.dyn("error_info", STRING_SET);
    Field<Task, Map<String, String>> other_config = CLASS.rw("other_config", STRING_MAP);
    Field<Task, Ref<Task>> subtask_of = CLASS.dyn("subtask_of", ref(Task.class));
    Relation<Task, Task> subtasks = CLASS.relation("subtasks", () -> Task.subtask_of);
    Field<Task, String> backtrace = CLASS.dyn("backtrace", STRING, "()");

    /** The messages of task that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Make a task for a long operation the client drives itself, e.g. an HTTP import")
        @Api(role = Access.READ_ONLY)
        Ref<Task> create(String label, String description);

        @Doc("Ask the operation behind a pending task to stop")
        @Api(role = Access.READ_ONLY, async = true, errors = {"OPERATION_NOT_ALLOWED"})
        void cancel(Ref<Task> task);

        @Doc("Forget a task")
        @Api(role = Access.READ_ONLY)
        void destroy(Ref<Task> self);

        @Api(role = Access.READ_ONLY)
        void set_status(Ref<Task> self, TaskStatusType value);

        @Api(role = Access.READ_ONLY)
        void set_progress(Ref<Task> self, double value);
    }
}

package org.flotilla.actions;

import org.flotilla.api.Call;
import org.flotilla.api.Tasks;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.enums.TaskStatusType;

/** task's messages: tasks that clients make, cancel and forget. */
public final class TaskActions implements Task.Actions {
    private final Tasks tasks;

    public TaskActions(Tasks tasks) { this.tasks = tasks; }

    @Override public Ref<Task> create(String label, String description) { return tasks.create(label, description, Call.current().session()); }

    @Override public void cancel(Ref<Task> task) { tasks.cancel(task); }

    @Override public void destroy(Ref<Task> self) { tasks.destroy(self); }

    @Override public void set_status(Ref<Task> self, TaskStatusType value) { tasks.setStatus(self, value); }

    @Override public void set_progress(Ref<Task> self, double value) { tasks.setProgress(self, value); }
}

package org.flotilla.api;

import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;

/**
 * What a long operation can tell its task: how far it got, and whether the client asked to cancel.
 * Synchronous calls get {@link #NONE}.
 */
public interface TaskContext {
    /** The task, OpaqueRef:NULL when the call is synchronous. */
    Ref<Task> ref();

    void progress(double fraction);

    /** Throws TASK_CANCELLED if the client cancelled the task; long operations call it between steps. */
    void checkCancelled();

    TaskContext NONE = new TaskContext() {
        @Override public Ref<Task> ref() { return Task.CLASS.nullRef(); }
        @Override public void progress(double fraction) { }
        @Override public void checkCancelled() { }
    };
}

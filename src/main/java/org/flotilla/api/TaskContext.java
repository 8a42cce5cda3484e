package org.flotilla.api;

/**
 * What a long operation can tell its task: how far it got, and whether the client asked to cancel.
 * Synchronous calls get {@link #NONE}.
 */
public interface TaskContext {
    /** The task's ref, OpaqueRef:NULL when the call is synchronous. */
    String ref();

    void progress(double fraction);

    /** Throws TASK_CANCELLED if the client cancelled the task; long operations call it between steps. */
    void checkCancelled();

    TaskContext NONE = new TaskContext() {
        @Override public String ref() { return org.flotilla.model.ClassDef.NULL_REF; }
        @Override public void progress(double fraction) { }
        @Override public void checkCancelled() { }
    };
}

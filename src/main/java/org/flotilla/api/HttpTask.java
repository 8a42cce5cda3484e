package org.flotilla.api;

import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Task;

/**
 * The task an HTTP request beside the API runs under (see {@link HttpCalls}): the handler reports progress where it
 * knows a total (an export's bytes), and the task ends once, in success or failure, as XAPI's TaskHelper ends it.
 * Ending a task that has already ended does nothing, so whoever learns first how the request went may end it.
 */
public interface HttpTask extends TaskContext {
    /** Ends the task in success, progress 1.0; task.result is left as it is, as for XAPI's handlers without one. */
    void success();

    /** Ends the task in success with {@code result}, written as Async calls' results are (an XML-RPC value). */
    void success(Object result);

    /** Ends the task in failure with error_info [code, params...], or cancelled for TASK_CANCELLED. */
    void failure(ApiError error);

    /** For a request that names no task: nothing to report to. */
    HttpTask NONE = new HttpTask() {
        @Override public Ref<Task> ref() { return Task.CLASS.nullRef(); }
        @Override public void progress(double fraction) { }
        @Override public void checkCancelled() { }
        @Override public void success() { }
        @Override public void success(Object result) { }
        @Override public void failure(ApiError error) { }
    };
}

package org.flotilla.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;

/**
 * XAPI's Xapi_http.with_context for the HTTP handlers beside the API (performance data, consoles): a request runs
 * under the task its {@code task_id} names, one the client made with task.create, so that a client such as Xen
 * Orchestra's learns how the request went by watching that task through events, then destroys it. Whose task it is
 * is not checked, as XAPI does not.
 */
public final class HttpCalls {
    /** A handler's work on a request, under the request's task. */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        T run(HttpTask task) throws X;
    }

    /** A handler's work on a request, under the request's task, given the request as it ends up authenticated. */
    @FunctionalInterface
    public interface RequestWork<T, X extends Exception> {
        T run(TunnelRequest request, HttpTask task) throws X;
    }

    private final Tasks tasks;
    private final Sessions sessions;

    /** {@code sessions}: what checks a request's session, and where one with HTTP Basic credentials logs in, as in XAPI. */
    public HttpCalls(Tasks tasks, Sessions sessions) {
        this.tasks = tasks;
        this.sessions = sessions;
    }

    /**
     * As {@link #run(TunnelRequest, Work)}, for a request that names no session but carries an {@code Authorization:
     * Basic} header ({@code authorization}, or null): XAPI's handlers log such a request in with the user and password
     * given, and out again when it is done. {@code client} is its address, for the login limits.
     */
    public <T, X extends Exception> T run(TunnelRequest request, String authorization, String client, RequestWork<T, X> work) throws X {
        if (request.sessionId() != null || authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return run(request, task -> work.run(request, task));
        }
        String[] credentials = decoded(authorization.substring(6).strip()).split(":", 2);
        Ref<Session> session;
        try {
            session = sessions.login(credentials[0], credentials.length > 1 ? credentials[1] : "", "", client);
        } catch (ApiError e) {
            return run(request, task -> work.run(request, task)); // unauthenticated: refused there, its task failed with it
        }
        try {
            var query = new HashMap<>(request.query());
            query.put("session_id", session.value());
            var loggedIn = new TunnelRequest(request.path(), query, request.cookies());
            return run(loggedIn, task -> work.run(loggedIn, task));
        } finally {
            sessions.logout(session);
        }
    }

    private static String decoded(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /**
     * Runs {@code work} under the request's task ({@link HttpTask#NONE} without task_id) once the request's session
     * is checked, and returns what it returns with the task still pending: ending it is the caller's, at once for a
     * reply handed over, when the stream ends for a tunnel. Whatever {@code work} throws fails the task and is thrown
     * on, an ApiError as a refusal.
     *
     * @throws HttpRefusal 500 HANDLE_INVALID when task_id names no task (nothing to fail then, as in XAPI, which
     *     looks the task up first); 401 SESSION_AUTHENTICATION_FAILED without a live session; {@code work}'s own
     */
    public <T, X extends Exception> T run(TunnelRequest request, Work<T, X> work) throws X {
        HttpTask task = taskOf(request);
        try {
            if (request.sessionId() == null || !sessions.use(Session.CLASS.ref(request.sessionId()))) throw new HttpRefusal(401, ApiError.of("SESSION_AUTHENTICATION_FAILED"));
            return work.run(task);
        } catch (HttpRefusal e) {
            task.failure(e.error());
            throw e;
        } catch (ApiError e) {
            task.failure(e);
            throw new HttpRefusal(statusOf(e), e);
        } catch (Exception | Error e) {
            // the client gone mid-stream, or a fault of ours: XAPI fails the task with the exception too
            task.failure(ApiError.internal(String.valueOf(e)));
            throw e;
        }
    }

    /** A subtask of the request's {@code task}, made by {@code session}; none when the request has no task either. */
    public HttpTask subtask(HttpTask task, String label, String session) {
        if (task.ref().isNull()) return HttpTask.NONE;
        return tasks.subtask(task.ref(), label, Session.CLASS.ref(session));
    }

    private HttpTask taskOf(TunnelRequest request) {
        String ref = request.taskId();
        if (ref == null) return HttpTask.NONE;
        try {
            return tasks.httpTask(Task.CLASS.ref(ref));
        } catch (ApiError e) {
            throw new HttpRefusal(500, e);
        }
    }

    /** XAPI's answers to errors its handlers raise: Forbidden for RBAC, Unauthorised for a session, else an internal error. */
    private static int statusOf(ApiError e) {
        return switch (e.code()) {
            case "RBAC_PERMISSION_DENIED" -> 403;
            case "SESSION_AUTHENTICATION_FAILED" -> 401;
            default -> 500;
        };
    }
}

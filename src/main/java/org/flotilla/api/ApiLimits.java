package org.flotilla.api;

import java.time.Duration;

/**
 * The bounds that keep one client from taking the API from the others: XAPI's where XAPI has them; tests shorten the timings.
 *
 * @param logins            how password checks are throttled
 * @param sessions          how many sessions are kept, and how long unused
 * @param tasks             how long tasks are kept, and how many
 * @param collectionInterval how often sessions and tasks beyond their bounds are collected (XAPI's db_GC_TIMER)
 */
public record ApiLimits(LoginThrottle.Config logins, Sessions.Limits sessions, Tasks.Limits tasks, Duration collectionInterval) {
    public static ApiLimits defaults() {
        return new ApiLimits(LoginThrottle.Config.defaults(), Sessions.Limits.xapi(), Tasks.Limits.xapi(), Duration.ofSeconds(30));
    }

    public ApiLimits withLogins(LoginThrottle.Config c) { return new ApiLimits(c, sessions, tasks, collectionInterval); }

    public ApiLimits withSessions(Sessions.Limits s) { return new ApiLimits(logins, s, tasks, collectionInterval); }

    public ApiLimits withTasks(Tasks.Limits t) { return new ApiLimits(logins, sessions, t, collectionInterval); }

    public ApiLimits withCollectionInterval(Duration d) { return new ApiLimits(logins, sessions, tasks, d); }
}

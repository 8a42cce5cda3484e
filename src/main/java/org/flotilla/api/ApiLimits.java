package org.flotilla.api;

/**
 * The bounds that keep one client from taking the API from the others, XAPI's by default; tests shorten the timings.
 *
 * @param logins how password checks are throttled
 */
public record ApiLimits(LoginThrottle.Config logins) {
    public static ApiLimits defaults() { return new ApiLimits(LoginThrottle.Config.defaults()); }

    public ApiLimits withLogins(LoginThrottle.Config c) { return new ApiLimits(c); }
}

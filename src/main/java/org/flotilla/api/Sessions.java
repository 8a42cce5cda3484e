package org.flotilla.api;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;

/** Logging in and out, and telling a live session from a stale one. Sessions end with the daemon. */
public final class Sessions {
    private final Database db;
    private final LoginThrottle logins;
    private final Supplier<String> thisHost;
    /** When each session was last used; kept in memory so that a call costs no database write. */
    private final Map<String, Long> lastUsed = new java.util.concurrent.ConcurrentHashMap<>();

    public Sessions(Database db, LoginThrottle logins, Supplier<String> thisHost) {
        this.db = db;
        this.logins = logins;
        this.thisHost = thisHost;
    }

    public String login(String user, String password, String originator, String clientAddress) {
        if (!logins.authenticate(clientAddress, user, password)) throw ApiError.of("SESSION_AUTHENTICATION_FAILED", user, "Authentication failure");
        String ref = Refs.newRef();
        Instant now = Instant.now();
        db.write(tx -> tx.put("session", ref, Map.of(
                "uuid", Refs.newUuid(),
                "this_host", thisHost.get(),
                "last_active", now,
                "validation_time", now,
                "is_local_superuser", true,
                "auth_user_name", user,
                "originator", originator == null ? "" : originator)));
        return ref;
    }

    /** The session, or SESSION_INVALID. */
    public DbObject require(String ref) {
        DbObject s = ref == null ? null : db.get("session", ref);
        if (s == null) throw ApiError.of("SESSION_INVALID", String.valueOf(ref));
        lastUsed.put(ref, System.nanoTime());
        return s;
    }

    public void logout(String ref) {
        require(ref);
        lastUsed.remove(ref);
        db.write(tx -> tx.delete("session", ref));
    }

    /** Ends the sessions unused for longer than {@code idleNanos}, as XAPI times out idle sessions. */
    public void expireIdle(long idleNanos) {
        long now = System.nanoTime();
        for (DbObject s : db.all("session")) {
            Long used = lastUsed.putIfAbsent(s.ref(), now);
            if (used != null && now - used > idleNanos && db.get("session", s.ref()) != null) {
                lastUsed.remove(s.ref());
                db.write(tx -> { if (tx.db().get("session", s.ref()) != null) tx.delete("session", s.ref()); });
            }
        }
    }

    public void register(Handlers h) {
        h.on("session", "login_with_password", c -> login(c.string("uname"), c.string("pwd"), c.string("originator"), c.clientAddress()))
         .on("session", "logout", c -> { logout(c.session()); return null; })
         .on("session", "local_logout", c -> { logout(c.session()); return null; });
    }
}

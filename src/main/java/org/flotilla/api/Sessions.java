package org.flotilla.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Subject;

/** Logging in and out, and telling a live session from a stale one. Sessions end with the daemon. */
public final class Sessions {
    /**
     * XAPI's bounds on sessions (xapi_globs.ml), kept by {@link #collect}.
     *
     * @param inactiveTimeout  how long a session may go unused
     * @param maxSessions      root's sessions without an originator, and pool-internal ones
     * @param maxPerOriginator root's sessions with one originator
     * @param maxPerUserName   another user's sessions
     */
    public record Limits(Duration inactiveTimeout, int maxSessions, int maxPerOriginator, int maxPerUserName) {
        public static Limits xapi() { return new Limits(Duration.ofHours(24), 400, 500, 500); }
    }

    private final Database db;
    private final LoginThrottle logins;
    private final Supplier<Ref<Host>> thisHost;
    private final Limits limits;
    /** When each session was last used (System.nanoTime); kept in memory so that a call costs no database write. */
    private final Map<Ref<Session>, Long> lastUsed = new ConcurrentHashMap<>();
    private final List<Consumer<Ref<Session>>> onEnd = new CopyOnWriteArrayList<>();
    /**
     * Sessions made by slave_local_login: this host's alone, as XAPI's Xapi_local_session keeps them — in memory,
     * no record in the pool's database (so in no get_all_records and no event), never collected, gone at restart.
     */
    private final Set<Ref<Session>> local = ConcurrentHashMap.newKeySet();

    public Sessions(Database db, LoginThrottle logins, Supplier<Ref<Host>> thisHost, Limits limits) {
        this.db = db;
        this.logins = logins;
        this.thisHost = thisHost;
        this.limits = limits;
    }

    public Ref<Session> login(String user, String password, String originator, String clientAddress) {
        if (!logins.authenticate(clientAddress, user, password)) throw ApiError.of("SESSION_AUTHENTICATION_FAILED", user, "Authentication failure");
        return create(user, true, originator == null ? "" : originator);
    }

    /**
     * A session for a caller the transport has already proven to be {@code user} (XAPI's preauthenticated logins: xe on
     * the host itself, over the toolstack's Unix socket that only the daemon's own user can open).
     */
    public Ref<Session> preauthenticated(String user, String originator) { return create(user, true, originator); }

    private Ref<Session> create(String user, boolean superuser, String originator) {
        db.catchUp(); // a new session starts from everything the pool committed before it (see CatchUps)
        Ref<Session> ref = Refs.newRef(Session.CLASS);
        Instant now = Instant.now();
        lastUsed.put(ref, System.nanoTime());
        db.write(tx -> tx.put(ref, db.newRecord(Session.CLASS)
                .set(Session.uuid, Refs.newUuid())
                .set(Session.this_host, thisHost.get())
                .set(Session.last_active, now)
                .set(Session.validation_time, now)
                .set(Session.is_local_superuser, superuser)
                .set(Session.auth_user_name, user)
                .set(Session.originator, originator)));
        return ref;
    }

    /**
     * A new session of the pool's database for the subject of {@code of}, a live session (XAPI's login_no_password,
     * as host.migrate_receive makes one for the host a VM comes from): it lives and ends apart from the one it was made from.
     */
    public Ref<Session> loginLike(Ref<Session> of) {
        require(of);
        DbObject<Session> s = db.get(of);
        // a local session (slave_local_login) is root's on this host alone
        String user = s == null ? "root" : s.get(Session.auth_user_name);
        boolean superuser = s == null || Boolean.TRUE.equals(s.get(Session.is_local_superuser));
        return create(user, superuser, "");
    }

    /** session.slave_local_login_with_password: the local root's password, and a session of this host's alone. */
    public Ref<Session> localLogin(String user, String password, String clientAddress) {
        if (!logins.authenticate(clientAddress, user, password)) throw ApiError.of("SESSION_AUTHENTICATION_FAILED", user, "Authentication failure");
        return newLocal();
    }

    /** A session of this host's alone, for a caller already proven (slave_local_login, by the pool's secret). */
    public Ref<Session> newLocal() {
        Ref<Session> ref = Refs.newRef(Session.CLASS);
        local.add(ref);
        return ref;
    }

    /** Whether the session is one of this host's alone (slave_local_login), as calls forwarded from other members come. */
    public boolean isLocal(Ref<Session> ref) { return ref != null && local.contains(ref); }

    /** Fails with SESSION_INVALID unless the session is live: a record of the pool's database, or a local one. */
    public void require(Ref<Session> ref) {
        if (!use(ref)) throw ApiError.of("SESSION_INVALID", String.valueOf(ref));
    }

    /**
     * Whether the session is live, as {@link #require} asks; a live one is marked used, so that the collector counts an
     * HTTP request (a console, a download) as XAPI counts it, as much as a call.
     */
    public boolean use(Ref<Session> ref) {
        if (ref != null && local.contains(ref)) return true;
        if (ref == null || !db.exists(ref)) return false;
        lastUsed.put(ref, System.nanoTime());
        return true;
    }

    /**
     * session.get_all_subject_identifiers: the subject identifiers of the users of every session that is not the local
     * root's (its own and its subject's), each once. Only root logs in here, so none yet.
     */
    public List<String> subjectIdentifiers() {
        var ids = new LinkedHashSet<String>();
        for (DbObject<Session> s : db.all(Session.CLASS)) {
            if (s.get(Session.is_local_superuser)) continue;
            ids.add(s.get(Session.auth_user_sid));
            DbObject<Subject> subject = db.get(s.get(Session.subject));
            if (subject != null) ids.add(subject.get(Subject.subject_identifier));
        }
        ids.remove("");
        return List.copyOf(ids);
    }

    /** session.logout: ends a session of the pool's database; a local session is left to local_logout, as XAPI does. */
    public void logout(Ref<Session> ref) {
        require(ref);
        if (!local.contains(ref)) end(ref);
    }

    /** session.local_logout: ends a local session; a session of the pool's database is left as it is, as XAPI does. */
    public void localLogout(Ref<Session> ref) {
        require(ref);
        if (local.remove(ref)) onEnd.forEach(l -> l.accept(ref));
    }

    /** Calls {@code listener} with each session that ends, by logout or by {@link #collect}. */
    public void onEnd(Consumer<Ref<Session>> listener) { onEnd.add(listener); }

    private void end(Ref<Session> ref) {
        lastUsed.remove(ref);
        db.write(tx -> { if (tx.db().exists(ref)) tx.delete(ref); });
        onEnd.forEach(l -> l.accept(ref));
    }

    /**
     * XAPI's session GC (db_gc_util.ml, timeout_sessions), over the sessions made on this host. Sessions fall in groups: root's by originator (those without
     * one together), other users' by user name. In each group, of the sessions with no task in progress ({@code busy}
     * are kept), those unused for inactiveTimeout end, then the least recently used beyond the group's limit.
     */
    public void collect(Set<Ref<Session>> busy) {
        long now = System.nanoTime();
        var groups = new HashMap<String, List<Ref<Session>>>();
        // only this host knows when its sessions were last used; another host's are that host's to collect
        for (DbObject<Session> s : db.referring(Session.this_host, thisHost.get())) {
            Ref<Session> ref = s.self(Session.CLASS);
            lastUsed.putIfAbsent(ref, now);
            if (!busy.contains(ref)) groups.computeIfAbsent(group(s), g -> new ArrayList<>()).add(ref);
        }
        long inactive = limits.inactiveTimeout().toNanos();
        var ending = new ArrayList<Ref<Session>>();
        groups.forEach((group, members) -> {
            members.sort(Comparator.comparingLong((Ref<Session> s) -> lastUsed.getOrDefault(s, now)).reversed());
            int kept = 0;
            for (Ref<Session> s : members) {
                if (now - lastUsed.getOrDefault(s, now) > inactive || ++kept > limitOf(group)) ending.add(s);
            }
        });
        ending.forEach(this::end);
    }

    private static String group(DbObject<Session> s) {
        if (Boolean.TRUE.equals(s.get(Session.pool))) return "internal";
        String user = s.get(Session.auth_user_name);
        String originator = s.get(Session.originator);
        boolean root = user.isEmpty() || user.equals(PasswordFile.ROOT);
        if (root) return originator.isEmpty() ? "external" : "originator:" + originator;
        return "username:" + user;
    }

    private int limitOf(String group) {
        if (group.startsWith("originator:")) return limits.maxPerOriginator();
        if (group.startsWith("username:")) return limits.maxPerUserName();
        return limits.maxSessions();
    }
}

package org.flotilla.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.db.Change;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Model;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Event;
import org.flotilla.model.xenapi.Session;

/**
 * event.from and the older register/next: clients learn of every change by class or object, with a
 * token that says how far they have read. Changes are read from the database's generations, so a
 * slow client loses nothing: repeated changes to one object coalesce into one event.
 */
public final class Events {
    private final Database db;
    private final Model model;
    private final Sessions sessions;
    /** event.register subscriptions per session, with the generation each has read up to. */
    private final Map<Ref<Session>, Registration> registrations = new ConcurrentHashMap<>();

    private record Registration(Set<String> subscriptions, long readUpTo) {}

    public Events(Database db, Sessions sessions) {
        this.db = db;
        this.model = db.model();
        this.sessions = sessions;
        sessions.onEnd(registrations::remove);
    }

    /** event.from: the changes after {@code token} to what {@code classes} selects, waiting up to the timeout for one. */
    public Map<String, Object> from(Ref<Session> session, List<String> classes, String token, double timeoutSeconds) {
        long since = parseToken(token);
        var filter = Subscriptions.parse(model, classes);
        long deadline = System.nanoTime() + (long) (Math.max(0, timeoutSeconds) * 1e9);
        while (true) {
            Database.ChangeBatch batch = db.changesSince(since, filter::coversClass);
            var events = new ArrayList<Map<String, Object>>();
            for (Change ch : batch.changes()) if (filter.covers(ch.className(), ch.ref())) events.add(event(ch));
            long remaining = deadline - System.nanoTime();
            if (!events.isEmpty() || remaining <= 0) {
                var reply = new LinkedHashMap<String, Object>();
                reply.put("events", events);
                reply.put("valid_ref_counts", validRefCounts());
                reply.put("token", token(batch.generation()));
                return reply;
            }
            since = batch.generation();
            awaitChange(since, remaining / 1_000_000 + 1);
            sessions.require(session);
        }
    }

    /** event.next: the changes since the session's last call, waiting for one. */
    public List<Map<String, Object>> next(Ref<Session> session) {
        while (true) {
            Registration r = registrations.get(session);
            if (r == null) throw ApiError.of("SESSION_NOT_REGISTERED", session.value());
            var filter = Subscriptions.parse(model, List.copyOf(r.subscriptions()));
            Database.ChangeBatch batch = db.changesSince(r.readUpTo(), filter::coversClass);
            registrations.computeIfPresent(session, (k, old) -> new Registration(old.subscriptions(), batch.generation()));
            var events = new ArrayList<Map<String, Object>>();
            for (Change ch : batch.changes()) if (filter.covers(ch.className(), ch.ref())) events.add(event(ch));
            if (!events.isEmpty()) return events;
            awaitChange(batch.generation(), 30_000);
            sessions.require(session);
        }
    }

    /** event.register ({@code add}) and event.unregister. */
    public void subscribe(Ref<Session> session, List<String> classes, boolean add) {
        Subscriptions.parse(model, classes);
        registrations.compute(session, (k, old) -> {
            Set<String> subs = new HashSet<>(old == null ? Set.of() : old.subscriptions());
            if (add) subs.addAll(classes); else classes.forEach(subs::remove);
            long readUpTo = old == null ? db.generation() : old.readUpTo();
            return subs.isEmpty() && !add ? null : new Registration(Set.copyOf(subs), readUpTo);
        });
    }

    /** The database generation, as event.get_current_id gives it. */
    public long currentId() { return db.generation(); }

    /** Marks the object changed so that it appears in the next event.from; returns the token before. */
    public String inject(String className, String ref) {
        ClassDef c = model.classDef(className);
        if (c == null || !c.stored() || db.get(className, ref) == null) throw ApiError.handleInvalid(className, ref);
        return db.writeReturning(tx -> {
            long before = tx.db().generation();
            tx.set(className, ref, "uuid", db.get(className, ref).uuid());
            return token(before);
        });
    }

    private void awaitChange(long since, long millis) {
        try {
            db.awaitGenerationAfter(since, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
    }

    private static Map<String, Object> event(Change ch) {
        var e = new LinkedHashMap<String, Object>();
        // XAPI sends id and timestamp as strings, whatever their declared types
        e.put(Event.id.name(), Long.toString(ch.generation()));
        e.put(Event.timestamp.name(), "0.0");
        e.put(Event.class_.name(), ch.className().toLowerCase());
        e.put(Event.operation.name(), ch.operation());
        e.put(Event.ref.name(), ch.ref());
        if (ch.snapshot() != null) e.put(Event.snapshot.name(), ch.snapshot());
        return e;
    }

    private Map<String, Object> validRefCounts() {
        var counts = new LinkedHashMap<String, Object>();
        for (String cls : db.storedClassNames()) counts.put(cls.toLowerCase(), db.count(cls));
        return counts;
    }

    static String token(long generation) { return String.format("%020d,%020d", generation, 0L); }

    static long parseToken(String token) {
        if (token.isEmpty()) return 0;
        String[] parts = token.split(",", -1);
        try {
            if (parts.length != 2) throw new NumberFormatException();
            Long.parseLong(parts[1].trim());
            return Long.parseLong(parts[0].trim());
        } catch (NumberFormatException e) {
            throw ApiError.of("EVENT_FROM_TOKEN_PARSE_FAILURE", token);
        }
    }

    /** What a list of subscriptions ("*", "vm", "vm/OpaqueRef:…") selects, of the classes that have events. */
    record Subscriptions(boolean all, Set<String> classes, Set<String> objects, Set<String> eventless) {
        static Subscriptions parse(Model model, List<String> subs) {
            Set<String> eventless = new HashSet<>();
            for (ClassDef c : model.classes()) if (!c.eventful()) eventless.add(c.name());
            boolean all = false;
            Set<String> classes = new HashSet<>();
            Set<String> objects = new HashSet<>();
            for (String s : subs) {
                if (s.equals("*")) { all = true; continue; }
                int slash = s.indexOf('/');
                String cls = slash < 0 ? s : s.substring(0, slash);
                var c = model.classIgnoringCase(cls);
                if (c.isEmpty()) continue; // XAPI ignores subscriptions to classes it does not have
                if (slash < 0) classes.add(c.get().name());
                else objects.add(c.get().name() + "/" + s.substring(slash + 1));
            }
            return new Subscriptions(all, classes, objects, eventless);
        }

        boolean coversClass(String cls) {
            if (eventless.contains(cls)) return false;
            return all || classes.contains(cls) || objects.stream().anyMatch(o -> o.startsWith(cls + "/"));
        }

        boolean covers(String cls, String ref) {
            if (eventless.contains(cls)) return false;
            return all || classes.contains(cls) || objects.contains(cls + "/" + ref);
        }
    }
}

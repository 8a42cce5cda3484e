package org.flotilla.db;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Model;

/**
 * The pool database: every object of every stored class, in memory, changed only by transactions of
 * {@link Op}s that are made durable in the {@link Journal} first. A deterministic state machine: the
 * same transactions in the same order give the same state, which is what replay after a crash (and
 * later, replication to pool members) relies on.
 */
public final class Database implements AutoCloseable {
    private static final int TOMBSTONES_KEPT = 100_000;

    /** How often a transaction proposed to the group is made again after another change to its objects came first. */
    private static final int ATTEMPTS = 20;

    private final Model model;
    private final ValueJson values;
    /** A single host's; {@link Journal#NONE} once the database is replicated. Guarded by {@link #lock}'s write lock. */
    private Journal journal;
    /** Null on a single host; on a member of a group, where committed transactions come from. */
    private volatile ReplicatedLog replicated;
    /** Serializes the writes of a replicated database, which wait for the group without holding {@link #lock}. */
    private final ReentrantLock writers = new ReentrantLock();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Condition changed = lock.writeLock().newCondition();
    private final Map<String, LinkedHashMap<String, DbObject<?>>> objects = new HashMap<>();
    private final Map<String, String> classOfRef = new HashMap<>();
    private final Map<String, Map<String, String>> refByUuid = new HashMap<>();
    /** "OtherClass.field" → referenced ref → the objects of OtherClass whose field holds it. */
    private final Map<String, Map<String, LinkedHashSet<String>>> relations = new HashMap<>();
    /** For each class, its ref fields that feed a relation of another class: field → "Class.derivedField". */
    private final Map<String, Map<String, String>> relationSources = new HashMap<>();
    /** For each class, its derived fields in declaration order. */
    private final Map<String, List<FieldDef>> derivedFields = new HashMap<>();
    private final ArrayDeque<Tombstone> tombstones = new ArrayDeque<>();
    private long generation;

    private record Tombstone(String className, String ref, long createdGen, long deletedGen) {}

    public Database(Model model, Journal journal) { this(model, journal, null); }

    /**
     * A member's copy of a database shared by a group: its persistent changes are committed through
     * {@code log} and reach this copy, as every other member's, through {@link #applyCommitted}; the
     * log's own storage recovers it, so this copy starts empty.
     */
    public Database(Model model, ReplicatedLog log) { this(model, Journal.NONE, java.util.Objects.requireNonNull(log)); }

    private Database(Model model, Journal journal, ReplicatedLog replicated) {
        this.model = model;
        this.values = new ValueJson(model);
        this.journal = journal;
        this.replicated = replicated;
        for (ClassDef c : model.classes()) {
            if (!c.stored()) continue;
            objects.put(c.name(), new LinkedHashMap<>());
            refByUuid.put(c.name(), new HashMap<>());
            derivedFields.put(c.name(), c.fields().values().stream().filter(FieldDef::derived).toList());
            for (FieldDef f : c.fields().values()) {
                if (!f.derived()) continue;
                relations.put(f.relation(), new HashMap<>());
                String[] other = f.relation().split("\\.");
                relationSources.computeIfAbsent(other[0], k -> new HashMap<>()).put(other[1], c.name() + "." + f.name());
            }
        }
        journal.recover(tx -> {
            for (Op op : tx.ops()) apply(op, tx.generation());
            generation = Math.max(generation, tx.generation());
        });
    }

    public Model model() { return model; }

    public long generation() {
        lock.readLock().lock();
        try { return generation; } finally { lock.readLock().unlock(); }
    }

    // ---- reads ------------------------------------------------------------------------------

    public DbObject<?> get(String className, String ref) {
        lock.readLock().lock();
        try {
            var m = objects.get(className);
            return m == null ? null : m.get(ref);
        } finally { lock.readLock().unlock(); }
    }

    /** The object, or HANDLE_INVALID naming the class the caller expected. */
    public DbObject<?> require(String className, String ref) {
        DbObject<?> o = get(className, ref);
        if (o == null) throw ApiError.handleInvalid(className, ref);
        return o;
    }

    public Optional<String> classOf(String ref) {
        lock.readLock().lock();
        try { return Optional.ofNullable(classOfRef.get(ref)); } finally { lock.readLock().unlock(); }
    }

    public List<DbObject<?>> all(String className) {
        lock.readLock().lock();
        try {
            var m = objects.get(className);
            return m == null ? List.of() : List.copyOf(m.values());
        } finally { lock.readLock().unlock(); }
    }

    public List<DbObject<?>> where(String className, Predicate<DbObject<?>> p) {
        return all(className).stream().filter(p).toList();
    }

    public Optional<String> refByUuid(String className, String uuid) {
        lock.readLock().lock();
        try {
            var m = refByUuid.get(className);
            return Optional.ofNullable(m == null ? null : m.get(uuid));
        } finally { lock.readLock().unlock(); }
    }

    /** A derived relation set, e.g. VM.VBDs of a VM. */
    public List<String> related(String className, String derivedField, String ref) {
        FieldDef f = model.classDef(className).field(derivedField);
        lock.readLock().lock();
        try { return relatedLocked(f, ref); } finally { lock.readLock().unlock(); }
    }

    private List<String> relatedLocked(FieldDef f, String ref) {
        var s = relations.get(f.relation()).get(ref);
        return s == null ? List.of() : List.copyOf(s);
    }

    /**
     * The full record as clients see it: every declared field in order, derived sets included; read-only, and keeping
     * what the codecs make of it, as {@link #records} does.
     */
    public Map<String, Object> record(String className, String ref) {
        lock.readLock().lock();
        try {
            var m = objects.get(className);
            DbObject<?> o = m == null ? null : m.get(ref);
            return o == null ? null : objectRecordLocked(o);
        } finally { lock.readLock().unlock(); }
    }

    /**
     * Every object of a class as ref → full record ({@link ObjectRecord}, read-only), in creation order. Each record is
     * of the object's version read here, derived sets included, and keeps what the codecs make of it.
     */
    public Map<String, Map<String, Object>> records(String className, Predicate<DbObject<?>> filter) {
        lock.readLock().lock();
        try {
            var out = new LinkedHashMap<String, Map<String, Object>>();
            var table = objects.get(className);
            if (table == null) return out;
            for (DbObject<?> o : table.values()) {
                if (filter.test(o)) out.put(o.ref(), objectRecordLocked(o));
            }
            return out;
        } finally { lock.readLock().unlock(); }
    }

    private ObjectRecord objectRecordLocked(DbObject<?> o) {
        List<FieldDef> fields = derivedFields.get(o.className());
        var sets = new List<?>[fields.size()];
        for (int i = 0; i < sets.length; i++) sets[i] = relatedLocked(fields.get(i), o.ref());
        return new ObjectRecord(model.classDef(o.className()), o, fields, sets);
    }

    // ---- typed reads: the class comes with the reference ------------------------------------

    @SuppressWarnings("unchecked")
    public <C> DbObject<C> get(Ref<C> ref) { return (DbObject<C>) get(ref.cls().name(), ref.value()); }

    /** The object, or HANDLE_INVALID. */
    @SuppressWarnings("unchecked")
    public <C> DbObject<C> require(Ref<C> ref) { return (DbObject<C>) require(ref.cls().name(), ref.value()); }

    public boolean exists(Ref<?> ref) { return get(ref.cls().name(), ref.value()) != null; }

    @SuppressWarnings("unchecked")
    public <C> List<DbObject<C>> all(ApiClass<C> cls) { return (List<DbObject<C>>) (List<?>) all(cls.name()); }

    public <C> List<DbObject<C>> where(ApiClass<C> cls, Predicate<DbObject<C>> p) { return all(cls).stream().filter(p).toList(); }

    /** The objects whose {@code field} refers to {@code target} (a field of any class, any reference). */
    public <C, D> List<DbObject<C>> referring(Field<C, Ref<D>> field, Ref<D> target) {
        return where(field.owner(), o -> target.value().equals(o.fields().get(field.name())));
    }

    public <C> Optional<Ref<C>> refByUuid(ApiClass<C> cls, String uuid) { return refByUuid(cls.name(), uuid).map(cls::ref); }

    /** A derived relation set, e.g. the VBDs of a VM. */
    public <C, D> List<Ref<D>> related(Ref<C> ref, Relation<C, D> relation) {
        ApiClass<D> other = relation.back().owner();
        return related(ref.cls().name(), relation.name(), ref.value()).stream().map(other::ref).toList();
    }

    /** The full record as clients see it, derived sets included; null if there is no such object. */
    public <C> Rec<C> record(Ref<C> ref) {
        Map<String, Object> r = record(ref.cls().name(), ref.value());
        return r == null ? null : Rec.of(ref.cls(), r);
    }

    /** A new record of the class with every stored field at its default, to fill and {@link Tx#put(Ref, Rec)}. */
    public <C> Rec<C> newRecord(ApiClass<C> cls) {
        var values = new LinkedHashMap<String, Object>();
        for (FieldDef f : storedClass(cls.name()).fields().values()) if (!f.derived()) values.put(f.name(), f.defaultValue());
        return Rec.of(cls, values);
    }

    // ---- writes -----------------------------------------------------------------------------

    /**
     * Runs {@code body} with the write lock held and commits the operations it staged: durable in the
     * journal, then applied, all or none. Reads inside see the state before the transaction. An
     * {@link ApiError} from the body aborts with nothing changed.
     */
    public <R> R writeReturning(Function<Tx, R> body) {
        if (replicated == null) {
            lock.writeLock().lock();
            try {
                if (replicated == null) { // checked again: the database may have joined a group meanwhile
                    Tx tx = new Tx();
                    R result = body.apply(tx);
                    commitLocked(tx.ops);
                    if (!tx.ops.isEmpty()) COMMITS.get()[0]++;
                    return result;
                }
            } finally { lock.writeLock().unlock(); }
        }
        return writeReplicated(body);
    }

    /**
     * The body runs as on a single host, but its persistent operations are committed through the group's
     * log without the lock held (the group's apply needs it), and applied when they come back committed,
     * together with the body's operations on classes the log does not keep. This member's writers are
     * serialized; another member's transaction may still come first and change what the body read, and then
     * the body runs again on the state after it.
     */
    private <R> R writeReplicated(Function<Tx, R> body) {
        if (lock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("a write inside another write cannot wait for the group to commit it");
        }
        writers.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                Tx tx = new Tx();
                R result;
                List<Op> durable;
                List<Expectation> expected;
                lock.writeLock().lock();
                try {
                    result = body.apply(tx);
                    durable = durableOps(tx.ops);
                    if (durable.isEmpty()) {
                        commitLocked(tx.ops);
                        if (!tx.ops.isEmpty()) COMMITS.get()[0]++;
                        return result;
                    }
                    expected = expectationsLocked(durable);
                } finally { lock.writeLock().unlock(); }
                try {
                    replicated.commit(new Transaction(generation() + 1, System.currentTimeMillis(), durable), expected, List.copyOf(tx.ops));
                    COMMITS.get()[0]++;
                    return result;
                } catch (Expectation.Unmet e) {
                    if (attempt == ATTEMPTS) {
                        throw ApiError.internal("the pool database kept changing under this write; tried " + ATTEMPTS + " times");
                    }
                    backOff(attempt);
                }
            }
        } finally { writers.unlock(); }
    }

    /** A random pause, longer after each try, so that members writing the same object at once do not collide again. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << Math.min(attempt + 1, 7)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while writing to the pool database");
        }
    }

    /** What the operations take for granted: the fields they set and the records they replace, as they are now. */
    private List<Expectation> expectationsLocked(List<Op> ops) {
        var out = new ArrayList<Expectation>();
        var seen = new java.util.HashSet<String>();
        for (Op op : ops) {
            DbObject<?> now = objects.get(op.className()).get(op.ref());
            if (now == null) continue; // made by this transaction: its ref is new
            switch (op) {
                case Op.Set set when seen.add(op.ref() + "." + set.field()) ->
                        out.add(new Expectation(op.className(), op.ref(), set.field(), now.fields().get(set.field())));
                case Op.Put put when seen.add(op.ref()) -> out.add(new Expectation(op.className(), op.ref(), null, now.fields()));
                default -> { } // a deletion takes nothing for granted: the object goes whatever it holds
            }
        }
        return out;
    }

    /** Whether every expectation holds now, comparing values as the log carries them. */
    private boolean holdsLocked(List<Expectation> expected) {
        for (Expectation e : expected) {
            var table = objects.get(e.className());
            DbObject<?> now = table == null ? null : table.get(e.ref());
            if (now == null) return false;
            ClassDef c = model.classDef(e.className());
            if (e.field() != null) {
                FieldDef f = c.field(e.field());
                if (f != null && !values.same(f.type(), e.value(), now.fields().get(e.field()))) return false;
            } else {
                Map<?, ?> fields = (Map<?, ?>) e.value();
                for (FieldDef f : c.fields().values()) {
                    if (!f.derived() && !values.same(f.type(), fields.get(f.name()), now.fields().get(f.name()))) return false;
                }
            }
        }
        return true;
    }

    /**
     * Replicates this database through {@code log} from now on, instead of its journal (which is closed): a
     * single host becoming a pool's first member. With {@code seed}, the whole persistent state is committed
     * first, as the log's first transaction, so that members joining later start from it.
     */
    public void replicateThrough(ReplicatedLog log, boolean seed) {
        writers.lock();
        try {
            DurableState state;
            lock.writeLock().lock();
            try {
                if (replicated != null) throw new IllegalStateException("the database is replicated already");
                journal.close();
                journal = Journal.NONE;
                replicated = log;
                state = new DurableState(generation, durablePutsLocked());
            } finally { lock.writeLock().unlock(); }
            if (seed) log.commit(new Transaction(state.generation(), System.currentTimeMillis(), List.copyOf(state.objects())), List.of(), List.of());
        } finally { writers.unlock(); }
    }

    /**
     * Waits until this copy holds every change the pool committed before the call, when it is one member's copy of
     * the pool's database (see {@link ReplicatedLog#catchUp}); false when that could not be learned.
     */
    public boolean catchUp() {
        ReplicatedLog log = replicated;
        return log == null || log.catchUp();
    }

    /** Whether writes go through a group's log. */
    public boolean isReplicated() { return replicated != null; }

    /**
     * Applies a transaction the group committed, as the next generation, if {@code expected} holds; on the
     * member that proposed it {@code ops} also holds the proposer's operations the log does not keep. Every
     * member applies the same transactions in the same order, so their persistent objects are the same, and
     * every member refuses the same ones.
     */
    public boolean applyCommitted(List<Expectation> expected, List<Op> ops) {
        lock.writeLock().lock();
        try {
            if (!holdsLocked(expected)) return false;
            applyCommittedLocked(ops);
            return true;
        } finally { lock.writeLock().unlock(); }
    }

    /** Applies a transaction the group committed that takes nothing for granted. */
    public long applyCommitted(List<Op> ops) {
        lock.writeLock().lock();
        try { return applyCommittedLocked(ops); } finally { lock.writeLock().unlock(); }
    }

    private long applyCommittedLocked(List<Op> ops) {
        long gen = generation + 1;
        for (Op op : ops) apply(op, gen);
        generation = gen;
        changed.signalAll();
        return gen;
    }

    /**
     * Makes the persistent objects those of a snapshot the group sent: objects it lacks are deleted,
     * the others put, as one generation; objects of classes the log does not keep stay.
     */
    public long replaceDurableState(Iterable<Op.Put> snapshot) {
        lock.writeLock().lock();
        try {
            long gen = generation + 1;
            var keep = new java.util.HashSet<String>();
            for (Op.Put put : snapshot) {
                keep.add(put.ref());
                DbObject<?> old = objects.containsKey(put.className()) ? objects.get(put.className()).get(put.ref()) : null;
                if (old == null || !old.fields().equals(put.fields())) apply(put, gen);
            }
            for (DbObject<?> o : durableObjectsLocked().toList()) {
                if (!keep.contains(o.ref())) apply(new Op.Delete(o.className(), o.ref()), gen);
            }
            generation = gen;
            changed.signalAll();
            return gen;
        } finally { lock.writeLock().unlock(); }
    }

    /** Every persistent object as a Put, at one generation: what a snapshot holds. */
    public DurableState durableState() {
        lock.readLock().lock();
        try {
            return new DurableState(generation, durablePutsLocked());
        } finally { lock.readLock().unlock(); }
    }

    public record DurableState(long generation, List<Op.Put> objects) {}

    private java.util.stream.Stream<DbObject<?>> durableObjectsLocked() {
        return objects.values().stream().flatMap(m -> m.values().stream())
                .filter(o -> model.classDef(o.className()).persistent());
    }

    private List<Op.Put> durablePutsLocked() {
        return durableObjectsLocked().map(o -> new Op.Put(o.className(), o.ref(), o.fields())).toList();
    }

    private List<Op> durableOps(List<Op> ops) {
        return ops.stream().filter(op -> model.classDef(op.className()).persistent()).toList();
    }

    /**
     * How many transactions the calling thread has committed: a caller can tell whether work it ran changed the
     * database (the dispatcher forwards a call to another host only if nothing was changed here first).
     */
    public long commitsOfThisThread() { return COMMITS.get()[0]; }

    /** For a caller whose commits since {@code mark} undid one another: the thread counts as having changed nothing since. */
    public void forgetCommitsSince(long mark) { COMMITS.get()[0] = mark; }

    private static final ThreadLocal<long[]> COMMITS = ThreadLocal.withInitial(() -> new long[1]);

    public void write(Consumer<Tx> body) {
        writeReturning(tx -> { body.accept(tx); return null; });
    }

    /** Staged changes of one transaction; fills defaults for fields a Put leaves out. */
    public final class Tx {
        private final List<Op> ops = new ArrayList<>();

        public Database db() { return Database.this; }

        public void put(String className, String ref, Map<String, Object> fields) {
            ClassDef c = storedClass(className);
            var full = new LinkedHashMap<String, Object>();
            for (FieldDef f : c.fields().values()) {
                if (f.derived()) continue;
                Object v = fields.get(f.name());
                full.put(f.name(), v != null ? v : f.defaultValue());
            }
            for (String k : fields.keySet()) {
                if (!c.hasField(k) || c.field(k).derived()) throw ApiError.internal("no stored field " + className + "." + k);
            }
            ops.add(new Op.Put(className, ref, full));
        }

        public void set(String className, String ref, String field, Object value) {
            ClassDef c = storedClass(className);
            FieldDef f = c.field(field);
            if (f == null || f.derived()) throw ApiError.internal("no stored field " + className + "." + field);
            if (get(className, ref) == null && ops.stream().noneMatch(o -> o instanceof Op.Put p && p.ref().equals(ref))) {
                throw ApiError.handleInvalid(className, ref);
            }
            // A null would reach the snapshot's Put (Map.copyOf rejects it) and come back from the journal
            // as the default: store the default now, as put does, so replay gives the same state.
            ops.add(new Op.Set(className, ref, field, value != null ? value : f.defaultValue()));
        }

        public void delete(String className, String ref) {
            storedClass(className);
            if (get(className, ref) == null) throw ApiError.handleInvalid(className, ref);
            ops.add(new Op.Delete(className, ref));
        }

        public boolean isEmpty() { return ops.isEmpty(); }

        /** Stores a new object (or replaces one) with the record's values, defaults for those it lacks. */
        public <C> void put(Ref<C> ref, Rec<C> record) { put(ref.cls().name(), ref.value(), record.values()); }

        public <C, T> void set(Ref<C> ref, Field<C, T> field, T value) { set(ref.cls().name(), ref.value(), field.name(), field.encode(value)); }

        public void delete(Ref<?> ref) { delete(ref.cls().name(), ref.value()); }
    }

    private ClassDef storedClass(String className) {
        ClassDef c = model.classDef(className);
        if (c == null || !c.stored()) throw ApiError.internal("not a stored class: " + className);
        return c;
    }

    private void commitLocked(List<Op> ops) {
        if (ops.isEmpty()) return;
        long gen = generation + 1;
        List<Op> durable = durableOps(ops);
        if (!durable.isEmpty()) journal.append(new Transaction(gen, System.currentTimeMillis(), durable));
        for (Op op : ops) apply(op, gen);
        generation = gen;
        changed.signalAll();
        if (!durable.isEmpty() && journal.wantsCompaction()) {
            journal.compact(gen, this::durablePutsLocked);
        }
    }

    private void apply(Op op, long gen) {
        var table = objects.get(op.className());
        if (table == null) return; // a class no longer declared: its records are dropped on replay
        switch (op) {
            case Op.Put p -> {
                DbObject<?> old = table.get(p.ref());
                if (old != null) unindex(old, gen);
                var o = new DbObject<>(p.className(), p.ref(), p.fields(), old == null ? gen : old.createdGen(), gen);
                table.put(p.ref(), o);
                index(o, gen);
            }
            case Op.Set s -> {
                DbObject<?> old = table.get(s.ref());
                if (old == null) return;
                unindex(old, gen);
                var fields = new LinkedHashMap<>(old.fields());
                fields.put(s.field(), s.value());
                var o = new DbObject<>(old.className(), old.ref(), java.util.Collections.unmodifiableMap(fields), old.createdGen(), gen);
                table.put(s.ref(), o);
                index(o, gen);
            }
            case Op.Delete d -> {
                DbObject<?> old = table.remove(d.ref());
                if (old == null) return;
                unindex(old, gen);
                classOfRef.remove(d.ref());
                tombstones.addLast(new Tombstone(old.className(), old.ref(), old.createdGen(), gen));
                if (tombstones.size() > TOMBSTONES_KEPT) tombstones.removeFirst();
            }
        }
    }

    private void index(DbObject<?> o, long gen) {
        classOfRef.put(o.ref(), o.className());
        Object uuid = o.fields().get("uuid");
        if (uuid instanceof String u && !u.isEmpty()) refByUuid.get(o.className()).put(u, o.ref());
        relationSources.getOrDefault(o.className(), Map.of()).forEach((field, target) -> {
            Object to = o.fields().get(field);
            if (to instanceof String toRef && !toRef.equals(ClassDef.NULL_REF)) {
                relations.get(o.className() + "." + field).computeIfAbsent(toRef, k -> new LinkedHashSet<>()).add(o.ref());
                touch(target.substring(0, target.indexOf('.')), toRef, gen);
            }
        });
    }

    private void unindex(DbObject<?> o, long gen) {
        Object uuid = o.fields().get("uuid");
        if (uuid instanceof String u) refByUuid.get(o.className()).remove(u, o.ref());
        relationSources.getOrDefault(o.className(), Map.of()).forEach((field, target) -> {
            Object to = o.fields().get(field);
            if (to instanceof String toRef) {
                var set = relations.get(o.className() + "." + field).get(toRef);
                if (set != null && set.remove(o.ref()) && set.isEmpty()) relations.get(o.className() + "." + field).remove(toRef);
                touch(target.substring(0, target.indexOf('.')), toRef, gen);
            }
        });
    }

    /** The other side of a relation changed too: its derived set is part of its record. */
    private void touch(String className, String ref, long gen) {
        var table = objects.get(className);
        DbObject<?> o = table == null ? null : table.get(ref);
        if (o != null && o.modifiedGen() != gen) {
            table.put(ref, new DbObject<>(o.className(), o.ref(), o.fields(), o.createdGen(), gen));
        }
    }

    // ---- changes, for events ----------------------------------------------------------------

    /**
     * Every object of the chosen classes changed after {@code sinceGen}, one change per object, oldest
     * first; deletions of objects that existed at {@code sinceGen} as "del".
     */
    public ChangeBatch changesSince(long sinceGen, Predicate<String> classFilter) {
        lock.readLock().lock();
        try {
            var out = new ArrayList<Change>();
            for (var e : objects.entrySet()) {
                if (!classFilter.test(e.getKey())) continue;
                for (DbObject<?> o : e.getValue().values()) {
                    if (o.modifiedGen() <= sinceGen) continue;
                    out.add(new Change(o.className(), o.ref(), o.createdGen() > sinceGen ? Change.ADD : Change.MOD,
                            o.modifiedGen(), objectRecordLocked(o)));
                }
            }
            var it = tombstones.descendingIterator();
            while (it.hasNext()) {
                Tombstone t = it.next();
                if (t.deletedGen() <= sinceGen) break;
                if (t.createdGen() <= sinceGen && classFilter.test(t.className())) {
                    out.add(new Change(t.className(), t.ref(), Change.DEL, t.deletedGen(), null));
                }
            }
            out.sort(Comparator.comparingLong(Change::generation));
            return new ChangeBatch(out, generation);
        } finally { lock.readLock().unlock(); }
    }

    /**
     * Moves the generation forward to at least {@code floor} without a change. Sessions and tasks are
     * not journaled, so after a restart the recovered generation can be lower than one a client already
     * holds in an event token; the daemon starts each run from a floor above any earlier run's.
     */
    public void advanceGenerationTo(long floor) {
        lock.writeLock().lock();
        try { generation = Math.max(generation, floor); } finally { lock.writeLock().unlock(); }
    }

    /** Changes after a generation, and the generation they bring the reader up to. */
    public record ChangeBatch(List<Change> changes, long generation) {}

    /** How many objects a class has now. */
    public int count(String className) {
        lock.readLock().lock();
        try {
            var m = objects.get(className);
            return m == null ? 0 : m.size();
        } finally { lock.readLock().unlock(); }
    }

    /** Waits until the generation passes {@code sinceGen} or the time is up; true if it did. */
    public boolean awaitGenerationAfter(long sinceGen, long timeoutMillis) throws InterruptedException {
        lock.writeLock().lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (generation <= sinceGen) {
                if (nanos <= 0) return false;
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally { lock.writeLock().unlock(); }
    }

    /** Wakes event waiters without a change (a session ending, a shutdown). */
    public void wakeWaiters() {
        lock.writeLock().lock();
        try { changed.signalAll(); } finally { lock.writeLock().unlock(); }
    }

    public Collection<String> storedClassNames() { return Set.copyOf(objects.keySet()); }

    @Override
    public void close() { journal.close(); }
}

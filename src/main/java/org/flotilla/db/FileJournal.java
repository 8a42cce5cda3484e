package org.flotilla.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.flotilla.db.file.Frames;
import org.flotilla.db.file.RecordFile;
import org.flotilla.db.file.StateDirectory;
import org.flotilla.db.file.StateDirectory.Generational;
import org.flotilla.db.file.StateLock;
import org.flotilla.model.Model;

/**
 * The database's journal in a state directory: the newest snapshot plus the journal of transactions
 * after it (see {@link StateDirectory} for the names). Every append is forced to disk before it
 * returns. Recovery replays the snapshot and then the journal, and cuts away a torn or damaged tail
 * so later appends follow the last good record. Compaction writes a new snapshot and starts a new
 * journal in an order in which a crash at any point leaves a directory that recovers to the same
 * state; the names, by generation, say which file supersedes which.
 *
 * <p>Any I/O failure while appending (or in the middle of a compaction) leaves the journal failed:
 * further appends throw, because what reached the disk is no longer known. Restarting recovers.
 */
public final class FileJournal implements Journal {
    public static final long DEFAULT_COMPACTION_BYTES = 64L << 20;
    private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());

    private final StateDirectory files;
    private final StateLock lock;
    private final TransactionJson codec;
    private final SnapshotFormat snapshots;
    private final long compactionBytes;

    private RecordFile active;
    private long activeStart;
    private long lastGeneration;
    private long compactAtSize;
    private Throwable failure;
    private boolean closed;
    /** Test seam: a compaction that reaches a step this accepts stops there, as if the process died. */
    private Predicate<CompactionStep> crashAt = step -> false;

    /** Opens (creating if needed) and locks the state directory; {@link #recover} must come next. */
    public FileJournal(Path dir, Model model) { this(dir, model, DEFAULT_COMPACTION_BYTES); }

    /** As {@link #FileJournal(Path, Model)}, compacting when the journal passes {@code compactionBytes}. */
    public FileJournal(Path dir, Model model, long compactionBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + dir, e);
        }
        this.files = new StateDirectory(dir);
        this.lock = StateLock.acquire(dir);
        this.codec = new TransactionJson(new ValueJson(model));
        this.snapshots = new SnapshotFormat(codec);
        this.compactionBytes = compactionBytes;
        this.compactAtSize = compactionBytes;
    }

    public Path directory() { return files.path(); }

    // ---- recovery ---------------------------------------------------------------------------

    @Override
    public synchronized void recover(Consumer<Transaction> replay) {
        if (closed) throw new IllegalStateException("journal closed");
        if (active != null) throw new IllegalStateException("journal already recovered");
        boolean recovered = false;
        try {
            recoverFiles(replay);
            recovered = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover the database from " + files.path(), e);
        } finally {
            if (!recovered) close(); // nobody else will: the database that called us fails to construct
        }
    }

    private void recoverFiles(Consumer<Transaction> replay) throws IOException {
        for (Path p : files.deleteTemporaries()) LOG.log(Level.INFO, "removed " + p.getFileName() + ", left by an interrupted write");
        long base = replayNewestSnapshot(replay);
        List<Generational> journals = files.journals();
        if (journals.isEmpty()) {
            if (base > 0) LOG.log(Level.WARNING, "no journal next to snapshot " + base + ": starting a new one");
            active = publishNewJournal(base);
            activeStart = base;
            lastGeneration = base;
            removeSuperseded(base, journals, 0);
            return;
        }
        int first = -1;
        for (int i = 0; i < journals.size(); i++) if (journals.get(i).generation() <= base) first = i;
        if (first < 0) {
            throw new IOException("transactions after generation " + base + " are missing: the oldest journal, "
                    + journals.getFirst().path().getFileName() + ", starts later");
        }
        long current = base;
        long validEnd = RecordFile.MAGIC_BYTES;
        for (int i = first; i < journals.size(); i++) {
            Generational j = journals.get(i);
            if (j.generation() > current) {
                throw new IOException("transactions " + (current + 1) + ".." + j.generation() + " are missing before "
                        + j.path().getFileName() + " (a damaged journal or snapshot, see above)");
            }
            Replayed r = replayJournal(j.path(), current, replay, i == journals.size() - 1);
            current = r.lastGeneration();
            validEnd = r.validEnd();
        }
        Generational newest = journals.getLast();
        active = RecordFile.openForAppend(newest.path(), validEnd);
        activeStart = newest.generation();
        lastGeneration = current;
        removeSuperseded(base, journals, first);
    }

    /** Replays the newest whole snapshot and returns its generation, or 0 if there is none. */
    private long replayNewestSnapshot(Consumer<Transaction> replay) throws IOException {
        List<Generational> all = files.snapshots();
        for (Generational s : all.reversed()) {
            Transaction snapshot;
            try {
                snapshot = snapshots.read(s.path());
                if (snapshot.generation() != s.generation()) throw new IOException("holds generation " + snapshot.generation());
            } catch (IOException e) {
                Path kept = quarantine(s.path());
                LOG.log(Level.ERROR, "DAMAGED SNAPSHOT " + s.path().getFileName() + " set aside as " + kept.getFileName() + " ("
                        + e.getMessage() + "); falling back to an older snapshot and the journals");
                continue;
            }
            replay.accept(snapshot);
            return snapshot.generation();
        }
        return 0;
    }

    private record Replayed(long lastGeneration, long validEnd) {}

    private Replayed replayJournal(Path path, long after, Consumer<Transaction> replay, boolean newest) throws IOException {
        long current = after;
        try (RecordFile.Reader r = RecordFile.Reader.open(path, RecordFile.JOURNAL_MAGIC)) {
            while (true) {
                switch (r.next()) {
                    case Frames.Read.Record rec -> {
                        Transaction tx;
                        try {
                            tx = codec.decode(JsonCodec.parse(rec.payload()));
                        } catch (IOException | IllegalArgumentException e) {
                            damaged(path, rec.offset(), "undecodable record: " + e.getMessage(), newest);
                            return new Replayed(current, rec.offset());
                        }
                        if (tx.generation() > current) { // older ones are in the snapshot already
                            replay.accept(tx);
                            current = tx.generation();
                        }
                    }
                    case Frames.Read.End end -> { return new Replayed(current, end.offset()); }
                    case Frames.Read.Torn torn -> {
                        LOG.log(Level.WARNING, path.getFileName() + ": " + torn.why() + " at byte " + torn.offset() + " of " + r.size()
                                + ", left by a crash during an append: cutting it away");
                        return new Replayed(current, torn.offset());
                    }
                    case Frames.Read.Corrupt bad -> {
                        damaged(path, bad.offset(), bad.why(), newest);
                        return new Replayed(current, bad.offset());
                    }
                }
            }
        }
    }

    /** Damage is not a crash: keep a copy of the file as found before anything is cut from it. */
    private void damaged(Path path, long offset, String why, boolean newest) throws IOException {
        Path copy = path.resolveSibling(path.getFileName() + ".damaged-" + System.currentTimeMillis());
        Files.copy(path, copy);
        LOG.log(Level.ERROR, "DAMAGED JOURNAL " + path.getFileName() + ": " + why + " at byte " + offset + "; everything from there on is dropped"
                + (newest ? " and cut away" : "") + " (copy of the file kept as " + copy.getFileName() + ")");
    }

    private Path quarantine(Path path) throws IOException {
        Path aside = path.resolveSibling(path.getFileName() + ".damaged-" + System.currentTimeMillis());
        Files.move(path, aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }

    /** Journals before the first one replayed, and snapshots older than the base, hold nothing needed. */
    private void removeSuperseded(long base, List<Generational> journals, int firstNeeded) throws IOException {
        boolean removed = false;
        for (Generational j : journals.subList(0, firstNeeded)) removed |= Files.deleteIfExists(j.path());
        for (Generational s : files.snapshots()) if (s.generation() < base) removed |= Files.deleteIfExists(s.path());
        if (removed) files.sync();
    }

    // ---- appending --------------------------------------------------------------------------

    @Override
    public synchronized void append(Transaction tx) {
        checkUsable();
        if (tx.generation() <= lastGeneration) {
            throw new IllegalArgumentException("generation " + tx.generation() + " after " + lastGeneration);
        }
        byte[] payload = JsonCodec.bytes(codec.encode(tx)); // a value of the wrong type fails here, before any write
        try {
            active.append(payload);
            active.force();
        } catch (IOException e) {
            failure = e;
            LOG.log(Level.ERROR, "journal append failed; the journal refuses further writes until a restart recovers it", e);
            throw new UncheckedIOException("journal append failed", e);
        }
        lastGeneration = tx.generation();
    }

    @Override
    public synchronized boolean wantsCompaction() {
        return active != null && failure == null && !closed && active.size() >= compactAtSize;
    }

    // ---- compaction -------------------------------------------------------------------------

    /** Thrown at a step a test chose: the compaction stops there and the journal acts dead. */
    private static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(CompactionStep step) { super("simulated crash after " + step); }
    }

    @Override
    public synchronized void compact(long generation, Supplier<Iterable<Op.Put>> state) {
        checkUsable();
        if (generation <= activeStart) return;
        if (generation < lastGeneration) {
            throw new IllegalArgumentException("a snapshot at " + generation + " would lose transactions up to " + lastGeneration);
        }
        try {
            if (!writeSnapshot(generation, state)) return;
            switchJournal(generation);
            removeOldFiles(generation);
        } catch (SimulatedCrash crash) {
            failure = crash;
        }
    }

    /** Step 1: the snapshot in a .tmp file. Failing here leaves the directory as it was: retry later. */
    private boolean writeSnapshot(long generation, Supplier<Iterable<Op.Put>> state) {
        Path tmp = StateDirectory.tmpOf(files.snapshotPath(generation));
        try {
            snapshots.write(tmp, generation, System.currentTimeMillis(), state.get(),
                    () -> reach(CompactionStep.SNAPSHOT_PARTLY_WRITTEN));
            reach(CompactionStep.SNAPSHOT_WRITTEN);
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "snapshot at generation " + generation + " failed, will retry when the journal has grown further", e);
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* removed at next open */ }
            compactAtSize = active.size() + compactionBytes;
            return false;
        }
    }

    /**
     * Steps 2 and 3: publish the snapshot, then a new empty journal, each by a durable rename. From the
     * first rename on, a failure leaves files that only recovery sorts out, so the journal fails.
     */
    private void switchJournal(long generation) {
        try {
            files.publish(StateDirectory.tmpOf(files.snapshotPath(generation)), files.snapshotPath(generation));
            reach(CompactionStep.SNAPSHOT_PUBLISHED);
            Path next = files.journalPath(generation);
            RecordFile fresh = RecordFile.create(StateDirectory.tmpOf(next), RecordFile.JOURNAL_MAGIC);
            try {
                fresh.force();
                reach(CompactionStep.JOURNAL_CREATED);
                files.publish(StateDirectory.tmpOf(next), next); // the open channel follows the file
            } catch (IOException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            RecordFile old = active;
            active = fresh;
            activeStart = generation;
            compactAtSize = compactionBytes;
            try { old.close(); } catch (IOException e) { LOG.log(Level.WARNING, "closing " + old.path(), e); }
            reach(CompactionStep.JOURNAL_PUBLISHED);
        } catch (IOException e) {
            failure = e;
            LOG.log(Level.ERROR, "compaction at generation " + generation + " failed half-way; the journal refuses further writes until a "
                    + "restart recovers it", e);
        }
    }

    /** Step 4: superseded files. Failing here is harmless: the next open removes them. */
    private void removeOldFiles(long generation) {
        if (failure != null) return;
        try {
            for (Generational j : files.journals()) if (j.generation() < generation) Files.deleteIfExists(j.path());
            reach(CompactionStep.OLD_JOURNAL_DELETED);
            for (Generational s : files.snapshots()) if (s.generation() < generation) Files.deleteIfExists(s.path());
            files.sync();
            reach(CompactionStep.DONE);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing files superseded by snapshot " + generation, e);
        }
    }

    private void reach(CompactionStep step) {
        if (crashAt.test(step)) throw new SimulatedCrash(step);
    }

    /** Test seam, see {@link CompactionStep}. */
    synchronized void crashCompactionAt(Predicate<CompactionStep> when) { crashAt = when; }

    // ---- lifecycle --------------------------------------------------------------------------

    private void checkUsable() {
        if (closed) throw new IllegalStateException("journal closed");
        if (active == null) throw new IllegalStateException("journal not recovered yet");
        if (failure != null) {
            throw new IllegalStateException("journal failed earlier (" + failure.getMessage()
                    + "); restart to recover from " + files.path(), failure);
        }
    }

    private RecordFile publishNewJournal(long generation) throws IOException {
        Path path = files.journalPath(generation);
        RecordFile f = RecordFile.create(StateDirectory.tmpOf(path), RecordFile.JOURNAL_MAGIC);
        try {
            f.force();
            files.publish(StateDirectory.tmpOf(path), path);
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Appends are forced as they happen, so closing only lets go of the files and the lock. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (active != null) active.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + active.path(), e);
        } finally {
            lock.close();
        }
    }
}

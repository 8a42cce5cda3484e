package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseOnFileJournalTest {
    private static final Model model = XenApi.model();

    @TempDir Path tmp;

    /** Every record of every persistent class, as clients would read them, plus the generation. */
    static Map<String, Object> persistentState(Database db) {
        var out = new LinkedHashMap<String, Object>();
        for (var c : model.classes()) {
            if (c.stored() && c.persistent()) out.put(c.name(), db.records(c.name(), o -> true));
        }
        out.put("generation", db.generation());
        return out;
    }

    /** What the first {@code n + 1} workload transactions give, computed without any journal. */
    static Map<String, Object> expectedAfter(long n) {
        var db = new Database(model, Journal.NONE);
        for (long i = 0; i <= n; i++) {
            long step = i;
            db.write(tx -> CrashWorkload.step(tx, step));
        }
        return persistentState(db);
    }

    static Database open(Path dir, long compactionBytes) {
        return new Database(model, new FileJournal(dir, model, compactionBytes));
    }

    @Test
    void objectsSurviveAReopenAndTransientOnesDoNot() {
        Path dir = tmp.resolve("state");
        Map<String, Object> before;
        var samples = new SampleValues(model);
        try (var db = open(dir, FileJournal.DEFAULT_COMPACTION_BYTES)) {
            for (long i = 0; i <= 40; i++) {
                long step = i;
                db.write(tx -> CrashWorkload.step(tx, step));
            }
            db.write(tx -> {
                tx.put("session", "OpaqueRef:s1", Map.of("uuid", "s1"));
                tx.put("task", "OpaqueRef:t1", Map.of("uuid", "t1"));
            });
            // every persistent class, with values of every type
            db.write(tx -> {
                int seed = 0;
                for (var c : model.classes()) {
                    if (c.stored() && c.persistent()) tx.put(c.name(), "OpaqueRef:sample-" + c.name(), samples.record(c, seed++));
                }
            });
            db.write(tx -> tx.set("VM", CrashWorkload.vm(40), "name_label", null)); // back to the default
            before = persistentState(db);
            assertNotNull(db.get("session", "OpaqueRef:s1"));
        }
        try (var db = open(dir, FileJournal.DEFAULT_COMPACTION_BYTES)) {
            assertEquals(before, persistentState(db));
            assertTrue(db.all("session").isEmpty(), "sessions do not survive a restart");
            assertTrue(db.all("task").isEmpty(), "tasks do not survive a restart");
            assertEquals("", db.get("VM", CrashWorkload.vm(40)).string("name_label"));
        }
    }

    @Test
    void compactionKeepsTheStateAcrossReopens() throws IOException {
        Path dir = tmp.resolve("state");
        try (var db = open(dir, 64 * 1024)) {
            for (long i = 0; i <= 300; i++) {
                long step = i;
                db.write(tx -> CrashWorkload.step(tx, step));
            }
        }
        assertTrue(names(dir).stream().anyMatch(n -> n.startsWith("snapshot-")), names(dir).toString());
        try (var db = open(dir, 64 * 1024)) {
            assertEquals(expectedAfter(300), persistentState(db));
            db.write(tx -> CrashWorkload.step(tx, 301));
        }
        try (var db = open(dir, 64 * 1024)) {
            assertEquals(expectedAfter(301), persistentState(db));
        }
    }

    /**
     * A crash at each step of a compaction: the files as that step leaves them must recover to the
     * state committed before it, accept writes, and compact cleanly afterwards.
     */
    @Test
    void aCrashAtAnyStepOfCompactionRecoversTheSameState() throws IOException {
        for (CompactionStep step : CompactionStep.values()) {
            Path dir = tmp.resolve("crash-" + step);
            var journal = new FileJournal(dir, model, 30_000);
            var db = new Database(model, journal);
            // two compactions complete, so an older snapshot and journal exist when the third one dies
            long n = writeUntilCrash(db, journal, 3, step);
            long committed = n - 1; // the workload's step numbers start at 0
            try (var reopened = open(dir, 30_000)) {
                assertEquals(expectedAfter(committed), persistentState(reopened), "crash after " + step);
                reopened.write(tx -> CrashWorkload.step(tx, committed + 1));
            }
            try (var reopened = open(dir, 30_000)) {
                assertEquals(expectedAfter(committed + 1), persistentState(reopened), "crash after " + step + ", then a write");
                for (long i = committed + 2; i < committed + 40; i++) {
                    long s = i;
                    reopened.write(tx -> CrashWorkload.step(tx, s));
                }
            }
            var files = names(dir);
            assertEquals(1, files.stream().filter(f -> f.startsWith("journal-")).count(), step + ": " + files);
            assertEquals(1, files.stream().filter(f -> f.startsWith("snapshot-")).count(), step + ": " + files);
            assertFalse(files.stream().anyMatch(f -> f.endsWith(".tmp") || f.contains("damaged")), step + ": " + files);
        }
    }

    /** A snapshot damaged after a crash left the older journal behind: that journal still has it all. */
    @Test
    void aDamagedNewestSnapshotFallsBackToTheOlderSnapshotAndJournal() throws IOException {
        Path dir = tmp.resolve("state");
        var journal = new FileJournal(dir, model, 30_000);
        var db = new Database(model, journal);
        long n = writeUntilCrash(db, journal, 2, CompactionStep.JOURNAL_PUBLISHED);
        Path newest;
        try (Stream<Path> s = Files.list(dir)) {
            newest = s.filter(p -> p.getFileName().toString().startsWith("snapshot-")).max(Path::compareTo).orElseThrow();
        }
        FileJournalTest.flipByte(newest, Files.size(newest) / 2);
        try (var reopened = open(dir, 30_000)) {
            assertEquals(expectedAfter(n - 1), persistentState(reopened));
        }
        assertTrue(names(dir).stream().anyMatch(f -> f.contains(".damaged-")), "the damaged snapshot is set aside");
    }

    /**
     * Runs the workload until compaction number {@code nth} stops at {@code step} as if the process died;
     * closes the database and returns how many workload transactions were committed.
     */
    static long writeUntilCrash(Database db, FileJournal journal, int nth, CompactionStep step) {
        int[] started = {0};
        boolean[] crashed = {false};
        journal.crashCompactionAt(s -> {
            if (s == CompactionStep.values()[0]) started[0]++;
            return crashed[0] = started[0] == nth && s == step;
        });
        long n = 0;
        while (!crashed[0]) {
            long i = n++;
            db.write(tx -> CrashWorkload.step(tx, i));
        }
        db.close();
        return n;
    }

    static java.util.List<String> names(Path dir) throws IOException {
        return FileJournalTest.names(dir);
    }
}

package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.Model;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

/** A database that commits through a log shared with other members: what it hands the log, and what it applies. */
class ReplicatedWritesTest {
    private static final Model model = XenApi.model();

    /** A log that commits at once and keeps what it was given, as a group of one would. */
    private static final class RecordingLog implements ReplicatedLog {
        final List<Transaction> committed = new ArrayList<>();
        final Database db = new Database(model, this);

        final List<List<Expectation>> expected = new ArrayList<>();
        /** Another member's transaction, committed just before the next one. */
        java.util.function.Consumer<Database> before = d -> { };

        @Override
        public void commit(Transaction durable, List<Expectation> expectations, List<Op> allOps) {
            var other = before;
            before = d -> { };
            other.accept(db);
            committed.add(durable);
            expected.add(expectations);
            if (!db.applyCommitted(expectations, allOps)) throw new Expectation.Unmet(committed.size());
        }
    }

    @Test
    void onlyPersistentOperationsGoToTheLogAndTheWholeTransactionAppliesAsOneGeneration() {
        var log = new RecordingLog();
        var db = log.db;
        db.write(tx -> {
            tx.put("session", "OpaqueRef:s1", Map.of("uuid", "s1"));
            tx.put("VM", "OpaqueRef:v1", Map.of("uuid", "v1"));
        });
        assertEquals(1, log.committed.size());
        assertEquals(List.of("VM"), log.committed.getFirst().ops().stream().map(Op::className).toList());
        assertEquals(1, db.generation());
        assertEquals(1, db.get("session", "OpaqueRef:s1").modifiedGen());

        db.write(tx -> tx.put("session", "OpaqueRef:s2", Map.of("uuid", "s2")));
        assertEquals(1, log.committed.size(), "a transaction of transient objects stays on this member");
        assertEquals(2, db.generation());
    }

    @Test
    void aTransactionExpectsWhatItChangesAsItWasAndNothingOfWhatItMakes() {
        var log = new RecordingLog();
        var db = log.db;
        db.write(tx -> tx.put("VM", "OpaqueRef:v1", Map.of("uuid", "v1", "name_label", "a")));
        assertEquals(List.of(), log.expected.getLast(), "a new object takes nothing for granted");
        db.write(tx -> {
            tx.set("VM", "OpaqueRef:v1", "name_label", "b");
            tx.set("VM", "OpaqueRef:v1", "name_label", "c");
        });
        assertEquals(List.of(new Expectation("VM", "OpaqueRef:v1", "name_label", "a")), log.expected.getLast());
        db.write(tx -> tx.delete("VM", "OpaqueRef:v1"));
        assertEquals(List.of(), log.expected.getLast(), "a deletion takes nothing for granted");
    }

    @Test
    void aTransactionAnotherMemberOvertookRunsAgainOnTheNewState() {
        var log = new RecordingLog();
        var db = log.db;
        db.write(tx -> tx.put("VM", "OpaqueRef:v1", Map.of("uuid", "v1")));
        log.before = d -> d.applyCommitted(List.of(new Op.Set("VM", "OpaqueRef:v1", "other_config", Map.of("theirs", "1"))));
        var runs = new java.util.concurrent.atomic.AtomicInteger();
        db.write(tx -> {
            runs.incrementAndGet();
            @SuppressWarnings("unchecked")
            var config = new java.util.HashMap<>((Map<String, String>) db.get("VM", "OpaqueRef:v1").fields().get("other_config"));
            config.put("mine", "2");
            tx.set("VM", "OpaqueRef:v1", "other_config", config);
        });
        assertEquals(2, runs.get(), "the first run read the map before the other member's key was in it");
        assertEquals(Map.of("theirs", "1", "mine", "2"), db.get("VM", "OpaqueRef:v1").fields().get("other_config"));
    }

    @Test
    void aSingleHostsDatabaseSeedsTheLogWithItsWholeStateAndWritesThroughItAfter() {
        var db = new Database(model, Journal.NONE);
        db.write(tx -> tx.put("VM", "OpaqueRef:v1", Map.of("uuid", "v1")));
        db.write(tx -> tx.put("session", "OpaqueRef:s1", Map.of("uuid", "s1")));
        var seeds = new ArrayList<Transaction>();
        db.replicateThrough((durable, expected, all) -> {
            seeds.add(durable);
            db.applyCommitted(expected, all);
        }, true);
        assertTrue(db.isReplicated());
        assertEquals(List.of("OpaqueRef:v1"), seeds.getFirst().ops().stream().map(Op::ref).toList(), "persistent objects only");
        db.write(tx -> tx.put("VM", "OpaqueRef:v2", Map.of("uuid", "v2")));
        assertEquals(2, seeds.size());
        assertThrows(IllegalStateException.class, () -> db.replicateThrough((d, e, a) -> { }, false));
    }

    @Test
    void aRefusedCommitLeavesTheDatabaseAsItWas() {
        var db = new Database(model, (durable, expected, all) -> { throw ApiError.internal("not confirmed"); });
        assertThrows(ApiError.class, () -> db.write(tx -> tx.put("VM", "OpaqueRef:v1", Map.of("uuid", "v1"))));
        assertNull(db.get("VM", "OpaqueRef:v1"));
        assertEquals(0, db.generation());
        assertThrows(IllegalStateException.class, () -> db.write(outer -> db.write(inner -> inner.put("VM", "OpaqueRef:v2", Map.of()))),
                "a write inside a write cannot wait for the group");
    }

    @Test
    void aSnapshotReplacesThePersistentObjectsAndReportsWhatChanged() {
        var log = new RecordingLog();
        var db = log.db;
        db.write(tx -> {
            tx.put("VM", "OpaqueRef:kept", Map.of("uuid", "kept", "name_label", "same"));
            tx.put("VM", "OpaqueRef:gone", Map.of("uuid", "gone"));
            tx.put("session", "OpaqueRef:s1", Map.of("uuid", "s1"));
        });
        long before = db.generation();
        var snapshot = new Database(model, Journal.NONE);
        snapshot.write(tx -> {
            tx.put("VM", "OpaqueRef:kept", Map.of("uuid", "kept", "name_label", "same"));
            tx.put("VM", "OpaqueRef:new", Map.of("uuid", "new"));
        });
        db.replaceDurableState(snapshot.durableState().objects());

        assertEquals(snapshot.durableState().objects(), db.durableState().objects());
        assertNotNull(db.get("session", "OpaqueRef:s1"), "transient objects are not the snapshot's");
        var changes = db.changesSince(before, c -> true).changes().stream().map(c -> c.ref() + " " + c.operation()).sorted().toList();
        assertEquals(List.of("OpaqueRef:gone del", "OpaqueRef:new add"), changes, "an unchanged object is no event");
    }
}

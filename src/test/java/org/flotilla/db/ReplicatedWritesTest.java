package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

        @Override
        public void commit(Transaction durable, List<Op> allOps) {
            committed.add(durable);
            db.applyCommitted(allOps);
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
    void aRefusedCommitLeavesTheDatabaseAsItWas() {
        var db = new Database(model, (durable, all) -> { throw ApiError.of("HOST_IS_SLAVE", "10.0.0.1"); });
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

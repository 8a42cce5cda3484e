package org.flotilla.raft;

import static org.flotilla.raft.TestGroup.await;
import static org.flotilla.raft.TestGroup.persistentObjects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Members of one group in this JVM, talking gRPC over loopback, each with its own Raft storage. */
class ReplicatedDatabaseTest {
    private static final RaftTuning TUNING = RaftTuning.DEFAULT;
    static final Duration CATCH_UP = Duration.ofSeconds(15);

    @TempDir Path tmp;

    static Ref<VM> vm(int i) { return VM.CLASS.ref("OpaqueRef:vm-" + i); }

    static void createVm(Database db, int i) {
        db.write(tx -> tx.put(vm(i), db.newRecord(VM.CLASS).set(VM.uuid, "uuid-" + i).set(VM.name_label, "vm " + i)));
    }

    static void rename(Database db, int i, String name) { db.write(tx -> tx.set(vm(i), VM.name_label, name)); }

    /** The same persistent objects with the same values, made in the same order. */
    static void awaitSameState(ReplicatedDatabase expected, List<ReplicatedDatabase> members) {
        for (ReplicatedDatabase m : members) {
            await(CATCH_UP, m.self().id() + " to hold what " + expected.self().id() + " holds",
                    () -> m.database().durableState().objects().equals(expected.database().durableState().objects()));
        }
    }

    @Test
    void everyMemberAppliesTheCoordinatorsWritesInTheSameOrder() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            List<ReplicatedDatabase> followers = group.others(leader);
            // each follower records the names it sees vm 0 take, to show it passes through every step in order
            var seen = new ArrayList<List<String>>();
            for (ReplicatedDatabase f : followers) {
                var names = new CopyOnWriteArrayList<String>();
                seen.add(names);
                Thread.ofPlatform().daemon().start(() -> {
                    long gen = 0;
                    try {
                        while (!Thread.currentThread().isInterrupted() && names.size() < 31) {
                            if (!f.database().awaitGenerationAfter(gen, 5_000)) return;
                            gen = f.database().generation();
                            var o = f.database().get(vm(0));
                            if (o != null && (names.isEmpty() || !names.getLast().equals(o.get(VM.name_label)))) names.add(o.get(VM.name_label));
                        }
                    } catch (InterruptedException e) { /* the test is over */ }
                });
            }
            createVm(leader.database(), 0);
            for (int i = 1; i <= 30; i++) rename(leader.database(), 0, "step " + i);
            for (int i = 1; i <= 10; i++) createVm(leader.database(), i);
            leader.database().write(tx -> tx.delete(vm(5)));

            awaitSameState(leader, followers);
            // the same transactions in the same order: every object made and last changed at the same generation
            for (ReplicatedDatabase f : followers) assertEquals(persistentObjects(leader.database()), persistentObjects(f.database()));
            assertEquals(10, leader.database().all(VM.CLASS).size());
            assertEquals("step 30", followers.getFirst().database().get(vm(0)).get(VM.name_label));
            for (List<String> names : seen) {
                // a follower may apply several entries between two looks, so it sees a subsequence, never out of order
                var steps = names.stream().filter(n -> n.startsWith("step ")).map(n -> Integer.parseInt(n.substring(5))).toList();
                assertEquals(steps.stream().sorted().distinct().toList(), steps, "names seen in order: " + names);
            }
        }
    }

    @Test
    void aFollowerWritesThroughTheCoordinatorAndReadsItsOwnWrite() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            ReplicatedDatabase follower = group.others(leader).getFirst();
            createVm(leader.database(), 1);

            createVm(follower.database(), 2);
            assertNotNull(follower.database().get(vm(2)), "the write is applied here before it returns");
            assertFalse(follower.isCoordinator());
            assertEquals(Optional.of(leader.self()), follower.coordinator());
            awaitSameState(leader, group.others(leader));

            // what the log does not keep (sessions) is the member's own, and is written where it is
            Ref<Session> s = Session.CLASS.ref("OpaqueRef:s1");
            follower.database().write(tx -> tx.put(s, follower.database().newRecord(Session.CLASS).set(Session.uuid, "s1")));
            assertNotNull(follower.database().get(s));
            assertNull(leader.database().get(s));
        }
    }

    @Test
    void aMemberThatCatchesUpSeesWhatWasJustWrittenThroughAnother() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            List<ReplicatedDatabase> followers = group.others(leader);
            ReplicatedDatabase writer = followers.get(0), reader = followers.get(1);
            createVm(writer.database(), 0);
            // a write returns once the writer applied it; the reader learns of it a little later, unless it catches up
            for (int i = 1; i <= 40; i++) {
                rename(writer.database(), 0, "step " + i);
                assertTrue(reader.catchUp());
                assertEquals("step " + i, reader.database().get(vm(0)).get(VM.name_label));
                rename(reader.database(), 0, "back " + i);
                assertTrue(leader.catchUp());
                assertEquals("back " + i, leader.database().get(vm(0)).get(VM.name_label));
            }
        }
    }

    @Test
    void aMembersGetAllRecordsShowsWhatTheGroupCommittedSinceItWasLastSent() {
        try (var group = TestGroup.ofVoters(tmp, 2, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            ReplicatedDatabase member = group.others(leader).getFirst();
            createVm(leader.database(), 0);
            for (int i = 1; i <= 5; i++) {
                assertTrue(member.catchUp());
                String sent = allVmsAsJson(member.database()); // and kept, for the next call
                assertTrue(sent.contains(i == 1 ? "\"vm 0\"" : "\"step " + (i - 1) + "\""), sent);
                rename(leader.database(), 0, "step " + i);
                assertTrue(member.catchUp());
                assertTrue(allVmsAsJson(member.database()).contains("\"step " + i + "\""), "the member sends the coordinator's rename");
            }
        }
    }

    private static String allVmsAsJson(Database db) {
        var reply = org.flotilla.wire.JsonRpc.writeReply(org.flotilla.wire.JsonRpcVersion.V2, 1L,
                org.flotilla.wire.RpcOutcome.success(db.records(VM.CLASS.name(), o -> true)));
        return new String(reply, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void changesOfOneFieldFromEveryMemberAtOnceAreAllKept() throws Exception {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            createVm(leader.database(), 1);
            awaitSameState(leader, group.others(leader));
            int perMember = 15;
            var writers = new ArrayList<Thread>();
            var failures = new CopyOnWriteArrayList<Throwable>();
            for (ReplicatedDatabase m : group.running.values()) {
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < perMember; i++) addToOtherConfig(m.database(), m.self().id() + "-" + i);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : writers) t.join();
            assertEquals(List.of(), failures);
            awaitSameState(leader, group.others(leader));
            // each member read the map, added its key and wrote the map back; none of them undid another's key
            assertEquals(3 * perMember, leader.database().get(vm(1)).get(VM.other_config).size());
        }
    }

    private static void addToOtherConfig(Database db, String key) {
        db.write(tx -> {
            var config = new java.util.HashMap<>(db.get(vm(1)).get(VM.other_config));
            config.put(key, "x");
            tx.set(vm(1), VM.other_config, config);
        });
    }

    @Test
    void aSingleHostsDatabaseFoundsAGroupThatLaterMembersStartFrom() throws Exception {
        var journal = new org.flotilla.db.FileJournal(tmp.resolve("journal"), TestGroup.MODEL);
        var single = new Database(TestGroup.MODEL, journal);
        createVm(single, 1);
        rename(single, 1, "made on a single host");
        try (var group = new TestGroup(tmp, TUNING)) {
            ReplicatedDatabase founder = ReplicatedDatabase.found(tmp.resolve("m1"), single, group.id, group.peer("m1"), TUNING,
                    Optional.empty());
            group.running.put("m1", founder);
            assertTrue(founder.isCoordinator());
            assertTrue(single.isReplicated());
            createVm(single, 2); // through the group now

            ReplicatedDatabase second = group.start("m2", List.of());
            founder.addVoter(second.self());
            awaitSameState(founder, List.of(second));
            assertEquals("made on a single host", second.database().get(vm(1)).get(VM.name_label));
            createVm(second.database(), 3);
            assertNotNull(single.get(vm(3)));

            // restarted, the founder recovers the whole database from the group's storage, not the journal
            group.stop("m1");
            ReplicatedDatabase again = group.start("m1", List.of());
            awaitSameState(second, List.of(again));
            assertNotNull(again.database().get(vm(1)));
        }
    }

    @Test
    void theCoordinatorsOwnTransientObjectsApplyWithItsTransaction() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            Ref<Session> s = Session.CLASS.ref("OpaqueRef:s1");
            long before = leader.database().generation();
            leader.database().write(tx -> {
                tx.put(s, leader.database().newRecord(Session.CLASS).set(Session.uuid, "s1"));
                tx.put(vm(1), leader.database().newRecord(VM.CLASS).set(VM.name_label, "with a session"));
            });
            assertEquals(before + 1, leader.database().generation(), "one transaction, one generation");
            assertEquals(leader.database().get(s).modifiedGen(), leader.database().get(vm(1)).modifiedGen());
            awaitSameState(leader, group.others(leader));
            for (ReplicatedDatabase f : group.others(leader)) assertNull(f.database().get(s));
        }
    }

    @Test
    void aGroupOfOneNeedsNoSetupAndRecoversFromItsStorage() {
        var group = new TestGroup(tmp, TUNING);
        Peer only = group.peer("solo");
        try (group) {
            ReplicatedDatabase m = group.start("solo", List.of(only));
            await(Duration.ofSeconds(10), "the only member to lead", m::isCoordinator);
            for (int i = 0; i < 5; i++) createVm(m.database(), i);
            m.takeSnapshot();
            rename(m.database(), 2, "after the snapshot");
            var before = m.database().durableState().objects();
            group.stop("solo");

            ReplicatedDatabase again = group.start("solo", List.of(only));
            await(Duration.ofSeconds(10), "the only member to lead again", again::isCoordinator);
            assertEquals(before, again.database().durableState().objects());
            createVm(again.database(), 5);
            assertEquals(6, again.database().all(VM.CLASS).size());
        }
    }
}

package org.flotilla.raft;

import static org.flotilla.raft.ReplicatedDatabaseTest.CATCH_UP;
import static org.flotilla.raft.ReplicatedDatabaseTest.awaitSameState;
import static org.flotilla.raft.ReplicatedDatabaseTest.createVm;
import static org.flotilla.raft.ReplicatedDatabaseTest.rename;
import static org.flotilla.raft.ReplicatedDatabaseTest.vm;
import static org.flotilla.raft.TestGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group changing: a coordinator lost and back, a member added that does not vote. */
class GroupChangesTest {
    private static final RaftTuning TUNING = RaftTuning.DEFAULT;

    @TempDir Path tmp;

    @Test
    void whenTheCoordinatorStopsAnotherTakesOverWithEveryAcknowledgedWriteAndTheOldOneCatchesUp() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase old = group.coordinator();
            for (int i = 0; i < 20; i++) createVm(old.database(), i); // each acknowledged when write returned
            String oldId = old.self().id();
            long stopped = System.nanoTime();
            group.stop(oldId);

            ReplicatedDatabase leader = group.coordinator();
            long takeover = (System.nanoTime() - stopped) / 1_000_000;
            assertNotEquals(oldId, leader.self().id());
            assertTrue(takeover < 5_000, "a new coordinator after " + takeover + " ms");
            for (int i = 0; i < 20; i++) assertNotNull(leader.database().get(vm(i)), "acknowledged vm " + i + " kept");

            for (int i = 20; i < 30; i++) createVm(leader.database(), i);
            rename(leader.database(), 3, "renamed by the new coordinator");

            ReplicatedDatabase back = group.start(oldId, List.of()); // its own storage says which group it is in
            long restarted = System.nanoTime();
            awaitSameState(leader, group.others(leader));
            System.out.println("old coordinator caught up " + (System.nanoTime() - restarted) / 1_000_000 + " ms after its restart");
            assertEquals(30, back.database().all(VM.CLASS).size());
            assertFalse(back.isCoordinator());
            createVm(leader.database(), 30);
            awaitSameState(leader, List.of(back));
            System.out.println("new coordinator " + takeover + " ms after the old one began to stop");
        }
    }


    @Test
    void aNonVotingFollowerAddedLaterReceivesTheWholeDatabaseThroughASnapshot() {
        // small log segments, so that a snapshot lets the members purge their logs
        var tuning = RaftTuning.DEFAULT.compactingEvery(100, 16 << 10);
        try (var group = TestGroup.ofVoters(tmp, 3, tuning)) {
            ReplicatedDatabase leader = group.coordinator();
            for (int i = 0; i < 200; i++) createVm(leader.database(), i);
            awaitSameState(leader, group.others(leader));
            for (ReplicatedDatabase m : List.copyOf(group.running.values())) m.takeSnapshot();
            await(CATCH_UP, "the coordinator's log purged", () -> leader.firstLogIndex() > 1);

            ReplicatedDatabase fourth = group.start("m4", List.of());
            leader.addFollower(fourth.self());
            await(CATCH_UP, "m4 to hold the database",
                    () -> fourth.database().durableState().objects().equals(leader.database().durableState().objects()));
            assertTrue(fourth.snapshotsLoaded() >= 1, "m4 was sent a snapshot");
            assertEquals(List.of(fourth.self()), leader.followers());
            assertEquals(3, leader.voters().size());
            assertFalse(leader.voters().contains(fourth.self()));

            rename(leader.database(), 7, "after m4 joined");
            await(CATCH_UP, "m4 to apply later writes", () -> "after m4 joined".equals(fourth.database().get(vm(7)).get(VM.name_label)));
            createVm(fourth.database(), 999); // a non-voting member writes through the coordinator too
            assertNotNull(fourth.database().get(vm(999)));
            await(CATCH_UP, "the coordinator to hold m4's write", () -> leader.database().get(vm(999)) != null);
        }
    }

    @Test
    void aLargeGroupKeepsFiveVotersWhoseFollowersFollowEveryCoordinatorAndTakeTheSilentOnesPlaces() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase first = group.coordinator();
            createVm(first.database(), 0);
            for (int i = 4; i <= 8; i++) {
                first.admit(group.start("m" + i, List.of()).self());
                first.balanceVoters(5);
            }
            assertEquals(5, first.voters().size());
            assertEquals(3, first.followers().size());
            rename(first.database(), 0, "before");
            awaitAll(group, "before");

            // two coordinators lost in turn: three of the five voters are left, and every follower follows
            for (int lost = 1; lost <= 2; lost++) {
                group.stop(group.coordinator().self().id());
                rename(group.coordinator().database(), 0, "coordinators lost: " + lost);
                awaitAll(group, "coordinators lost: " + lost);
            }
            ReplicatedDatabase third = group.coordinator();
            assertEquals(3, third.followers().size(), "no follower left the group");

            // the two silent voters give their places to followers, so that the group outlives the loss of a third
            var replaced = new java.util.HashSet<String>(); // one at a time, should one fall silent later than the other
            await(CATCH_UP, "the silent voters replaced", () -> {
                replaced.addAll(third.replaceSilentVoters(Duration.ofSeconds(2)));
                return replaced.size() == 2;
            });
            assertEquals(5, third.voters().size());
            assertTrue(third.voters().stream().allMatch(p -> group.running.containsKey(p.id())), "every voter runs: " + third.voters());
            group.stop(third.self().id());
            rename(group.coordinator().database(), 0, "a third voter lost");
            awaitAll(group, "a third voter lost");
        }
    }

    @Test
    void theCoordinatorsRoleHandedToAFollowerMakesItAVoterAndAnotherVoterAFollower() {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase first = group.coordinator();
            createVm(first.database(), 0);
            first.admit(group.start("m4", List.of()).self());
            first.balanceVoters(3);
            Peer follower = first.followers().getFirst();

            first.transferCoordinator(follower.id());
            ReplicatedDatabase next = group.coordinator();
            assertEquals(follower.id(), next.self().id());
            assertEquals(3, next.voters().size());
            assertEquals(1, next.followers().size());
            rename(next.database(), 0, "under the follower that leads");
            awaitAll(group, "under the follower that leads");

            // the voter that became a follower follows the next coordinator too
            group.stop(next.self().id());
            rename(group.coordinator().database(), 0, "after it");
            awaitAll(group, "after it");
        }
    }

    @Test
    void aChangeOfTheGroupWaitsForTheOneUnderWay() throws Exception {
        try (var group = TestGroup.ofVoters(tmp, 3, TUNING)) {
            ReplicatedDatabase leader = group.coordinator();
            // a member that never answers: Ratis waits for it to catch up until its staging times out (3 x 2 s)
            Peer absent = group.peer("m4");
            var stuck = java.util.concurrent.CompletableFuture.runAsync(() -> leader.addVoter(absent));
            Thread.sleep(500); // the first change reaches Ratis
            assertFalse(stuck.isDone(), "the first change still waits for the absent member");
            ReplicatedDatabase fifth = group.start("m5", List.of());
            leader.addFollower(fifth.self()); // refused at once while the first is under way, so made again after it
            assertTrue(leader.isMember("m5"));
            assertThrows(java.util.concurrent.CompletionException.class, stuck::join, "the absent member was never taken in");
            assertFalse(leader.isMember(absent.id()));
        }
    }

    /** Every running member holds the name {@code name} for vm 0. */
    private static void awaitAll(TestGroup group, String name) {
        for (ReplicatedDatabase m : List.copyOf(group.running.values())) {
            await(CATCH_UP, m.self().id() + " to read '" + name + "'", () -> name.equals(m.database().get(vm(0)).get(VM.name_label)));
        }
    }
}

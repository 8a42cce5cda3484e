package org.flotilla.raft;

import static org.flotilla.raft.ReplicatedDatabaseTest.CATCH_UP;
import static org.flotilla.raft.ReplicatedDatabaseTest.awaitSameState;
import static org.flotilla.raft.ReplicatedDatabaseTest.createVm;
import static org.flotilla.raft.TestGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import org.flotilla.Slow;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members that each have their own self-signed certificate, naming no host, and pin exactly the group's
 * certificates: they replicate among themselves, and nothing without a pinned certificate reaches them.
 */
@Slow
class MutualTlsTest {
    @TempDir Path tmp;

    /** m1…m3, each pinning the three certificates. */
    private static Map<String, MemberTls> pinnedToEachOther(Map<String, SelfSignedMember> members) {
        List<X509Certificate> pinned = members.values().stream().map(SelfSignedMember::certificate).toList();
        var identities = new TreeMap<String, MemberTls>();
        members.forEach((id, m) -> identities.put(id, m.trusting(pinned)));
        return identities;
    }

    private static Map<String, SelfSignedMember> threeMembers() {
        var members = new TreeMap<String, SelfSignedMember>();
        for (int i = 1; i <= 3; i++) members.put("m" + i, SelfSignedMember.make("pool member m" + i));
        return members;
    }

    @Test
    void pinnedMembersReplicateAndAMemberWithAnotherCertificateReceivesNothing() {
        var identities = pinnedToEachOther(threeMembers());
        try (var group = TestGroup.ofVoters(tmp, 3, RaftTuning.DEFAULT, identities)) {
            ReplicatedDatabase leader = group.coordinator();
            for (int i = 0; i < 10; i++) createVm(leader.database(), i);
            awaitSameState(leader, group.others(leader));

            // m4 pins the group's certificates and its own, but no member of the group pins m4's
            var stranger = SelfSignedMember.make("pool member m4");
            var pinnedByM4 = new ArrayList<>(identities.get("m1").trusted());
            pinnedByM4.add(stranger.certificate());
            group.identities.put("m4", stranger.trusting(pinnedByM4));
            ReplicatedDatabase m4 = group.start("m4", List.of());

            long asked = System.nanoTime();
            ApiError refused = assertThrows(ApiError.class, () -> leader.addFollower(m4.self()));
            System.out.println("adding the unpinned m4 failed after " + (System.nanoTime() - asked) / 1_000_000 + " ms: " + refused.getMessage());
            createVm(leader.database(), 10);
            awaitSameState(leader, group.others(leader).stream().filter(m -> m != m4).toList());
            assertEquals(List.of(), leader.followers());
            assertEquals(0, m4.database().all(VM.CLASS).size(), "m4 received none of the database");
            assertTrue(m4.lastAppliedIndex() < 0, "m4 applied no log entry, not even the group's configuration");

            // the same m4, once pinned by the members (as at pool join), is let in: the refusal was the pin's
            for (String id : List.of("m1", "m2", "m3")) identities.get(id).trust(stranger.certificate());
            leader.addFollower(m4.self());
            await(CATCH_UP, "m4 to hold the database", () -> m4.database().all(VM.CLASS).size() == 11);
            assertEquals(List.of(m4.self()), leader.followers());
        }
    }

    @Test
    void aClientWithoutAPinnedCertificateIsRefusedAndAPinnedOneIsAnswered() throws IOException {
        var members = threeMembers();
        var identities = pinnedToEachOther(members);
        try (var group = TestGroup.ofVoters(tmp, 3, RaftTuning.DEFAULT, identities)) {
            group.coordinator();
            var unpinned = SelfSignedMember.make("not a pool member");
            var everyone = List.copyOf(identities.get("m1").trusted());

            assertRefused(() -> groupInfo(group, "m1", Optional.empty()), "a plaintext client");
            assertRefused(() -> groupInfo(group, "m1", Optional.of(unpinned.trusting(everyone))), "a client presenting an unpinned certificate");
            // a member's own identity, as used between members, is answered: the refusals were the TLS layer's
            var member = members.get("m2").trusting(everyone);
            GroupInfoReply info = groupInfo(group, "m1", Optional.of(member));
            assertTrue(info.isSuccess());
            assertEquals(3, info.getGroup().getPeers().size());
        }
    }

    /** gRPC's answer when the connection fails: the member closed it, or the handshake did not complete. */
    private static void assertRefused(Executable call, String who) {
        Throwable e = assertThrows(Exception.class, call, who);
        System.out.println(who + " was refused: " + e);
        assertTrue(String.valueOf(e).contains("UNAVAILABLE"), who + " refused at the connection, not answered: " + e);
    }

    /** Asks a member for its group through Ratis's own gRPC client, once, with or without a TLS identity. */
    private static GroupInfoReply groupInfo(TestGroup group, String memberId, Optional<MemberTls> tls) throws IOException {
        var properties = new org.apache.ratis.conf.RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        var parameters = new Parameters();
        tls.ifPresent(t -> GrpcConfigKeys.TLS.setConf(parameters, t.grpcConfig()));
        RaftGroupId groupId = RaftGroupId.valueOf(group.id);
        var peers = group.peers.values().stream().map(p -> p.toRaft(RaftPeerRole.FOLLOWER)).toList();
        try (RaftClient client = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(groupId, peers)).setRetryPolicy(RetryPolicies.noRetry()).build()) {
            return client.getGroupManagementApi(RaftPeerId.valueOf(memberId)).info(groupId);
        }
    }
}

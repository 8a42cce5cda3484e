package org.flotilla.raft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import java.util.function.Function;
import org.flotilla.db.Database;
import org.flotilla.db.Expectation;
import org.flotilla.db.Op;
import org.flotilla.db.ReplicatedLog;
import org.flotilla.db.SnapshotFormat;
import org.flotilla.db.Transaction;
import org.flotilla.db.TransactionJson;
import org.flotilla.db.ValueJson;
import org.flotilla.model.ApiError;
import org.flotilla.model.Model;

/**
 * One member's copy of the pool database, kept in step with the group by Raft. The leader is the pool's
 * coordinator: {@link Database#write} there returns once the transaction is committed on a majority of the
 * voters and applied here; on any other member a write of persistent objects fails with {@code HOST_IS_SLAVE}
 * naming the coordinator's address, which the API layer can turn into forwarding. Every member applies the
 * committed transactions in log order; a restarted member recovers from its own Raft storage; a member that
 * falls behind a purged log receives a snapshot.
 *
 * <p>The group keeps a small set of voters (3 or 5) and holds the other members as non-voting followers
 * (Ratis listeners), which receive everything but take no part in elections or commits.
 */
public final class ReplicatedDatabase implements ReplicatedLog, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicatedDatabase.class.getName());
    private static final long RETRY_MILLIS = 20;

    private final Peer self;
    private final RaftGroupId groupId;
    private final RaftTuning tuning;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final Map<String, List<Op>> proposed = new ConcurrentHashMap<>();
    private final List<Consumer<Optional<String>>> leaderListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> coordinatorListeners = new CopyOnWriteArrayList<>();
    private final LogEntries entries;
    private final Database db;
    private final SnapshotFormat snapshots;
    private final AppliedIndex progress = new AppliedIndex();
    /** The state machine of this member's Raft division; a new one when the division restarts ({@link #listenIfDemoted}). */
    private volatile DatabaseStateMachine machine;
    /** Set while this member's division restarts, so that a look at it waits instead of failing. */
    private volatile java.util.concurrent.CountDownLatch restarting;
    private final Object restartLock = new Object();
    private volatile boolean closed;
    private final RaftServer server;
    private final Parameters tlsParameters;
    /** This member's writes to the coordinator. */
    private final GroupClient writes = new GroupClient();
    /** This member's catch-up requests: apart, so that one given up on never ends a write under way. */
    private final GroupClient catchUps = new GroupClient();

    private ReplicatedDatabase(Path dir, Function<ReplicatedLog, Database> database, Model model, UUID group, Peer self,
            List<Peer> voters, RaftTuning tuning, Optional<MemberTls> tls) throws IOException {
        this.self = self;
        this.groupId = RaftGroupId.valueOf(group);
        this.tuning = tuning;
        TransactionJson codec = new TransactionJson(new ValueJson(model));
        this.entries = new LogEntries(codec);
        this.db = database.apply(this);
        this.tlsParameters = parameters(tls);
        this.snapshots = new SnapshotFormat(codec);
        this.machine = newMachine();
        Files.createDirectories(dir);
        boolean existing = Files.isDirectory(dir.resolve(group.toString()));
        this.server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self.id()))
                .setGroup(RaftGroup.valueOf(groupId, voters.stream().map(p -> p.toRaft(RaftPeerRole.FOLLOWER)).toList()))
                .setProperties(RaftProperties.of(dir, self, tuning))
                .setParameters(tlsParameters)
                .setStateMachineRegistry(g -> machine)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
    }

    private DatabaseStateMachine newMachine() {
        return new DatabaseStateMachine(db, entries, snapshots, proposed, new DatabaseStateMachine.GroupEvents() {
            @Override public void leaderChanged(String leaderId) { leaderListeners.forEach(l -> l.accept(Optional.ofNullable(leaderId))); }

            @Override public void leaderReady() { coordinatorListeners.forEach(Runnable::run); }

            @Override public void membersChanged() { Thread.ofVirtual().name("pool-db-members").start(ReplicatedDatabase.this::listenIfDemoted); }
        }, progress);
    }

    /**
     * Starts this member of the group {@code group}, its Raft storage in {@code dir}. The first time, the group
     * is {@code voters} (this member among them: a pool of one is a group of one and leads itself), or empty
     * for a member that waits for the coordinator to add it ({@link #addFollower}, {@link #addVoter}); after a
     * restart the group is what the member's own storage says.
     */
    public static ReplicatedDatabase open(Path dir, Model model, UUID group, Peer self, List<Peer> voters, RaftTuning tuning) {
        return open(dir, model, group, self, voters, tuning, Optional.empty());
    }

    /**
     * As {@link #open(Path, Model, UUID, Peer, List, RaftTuning)}, the member talking to the others over mutual
     * TLS with {@code tls} when given: it answers and reaches only members whose certificates it pins.
     */
    public static ReplicatedDatabase open(Path dir, Model model, UUID group, Peer self, List<Peer> voters, RaftTuning tuning,
            Optional<MemberTls> tls) {
        try {
            return new ReplicatedDatabase(dir, log -> new Database(model, log), model, group, self, voters, tuning, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the pool database's member " + self.id() + " in " + dir, e);
        }
    }

    /**
     * Makes a single host's database the first member of a new group, {@code group}: the group of one is
     * formed in {@code dir} (which must not hold it yet), this member leads it, and the database's whole state
     * becomes the log's first entry, from which every later member starts. From then on the database's writes
     * go through the group, not its journal. Waits up to the write timeout for the group to elect this member.
     */
    public static ReplicatedDatabase found(Path dir, Database existing, UUID group, Peer self, RaftTuning tuning,
            Optional<MemberTls> tls) {
        if (Files.isDirectory(dir.resolve(group.toString()))) throw new IllegalStateException("the group " + group + " exists in " + dir);
        ReplicatedDatabase m;
        try {
            m = new ReplicatedDatabase(dir, log -> existing, existing.model(), group, self, List.of(self), tuning, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the pool database's member " + self.id() + " in " + dir, e);
        }
        try {
            long deadline = System.nanoTime() + tuning.writeTimeout().toNanos();
            while (!m.isCoordinator()) {
                if (System.nanoTime() > deadline) throw ApiError.internal("the new pool database elected no coordinator");
                Thread.sleep(RETRY_MILLIS);
            }
            existing.replicateThrough(m, true);
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.stopServer();
            throw ApiError.internal("interrupted while forming the pool database");
        } catch (RuntimeException e) {
            m.stopServer(); // the host goes on from its journal, still on disk, when it next starts
            throw e;
        }
    }

    /** Ratis's settings that are objects, not strings: the TLS configuration, for all of its gRPC services. */
    private static Parameters parameters(Optional<MemberTls> tls) {
        var p = new Parameters();
        tls.ifPresent(t -> GrpcConfigKeys.TLS.setConf(p, t.grpcConfig()));
        return p;
    }

    public Database database() { return db; }

    public Peer self() { return self; }

    // ---- leadership -------------------------------------------------------------------------

    /** Whether this member is the coordinator: the leader, with every earlier entry applied, so it may write. */
    public boolean isCoordinator() {
        var info = division().getInfo();
        return info.isLeader() && info.isLeaderReady();
    }

    /** The coordinator as this member last heard of it; empty during an election. */
    public Optional<Peer> coordinator() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        if (leader == null) return Optional.empty();
        return division().getRaftConf().getAllPeers().stream().filter(p -> p.getId().equals(leader)).findFirst().map(Peer::of);
    }

    /** Called, on a Ratis thread, with the new leader's id whenever this member learns of a change of leader. */
    public void onLeaderChange(Consumer<Optional<String>> listener) { leaderListeners.add(listener); }

    /** Called, on a Ratis thread, when this member has become the coordinator and may write. */
    public void onBecomingCoordinator(Runnable listener) { coordinatorListeners.add(listener); }

    // ---- writes -----------------------------------------------------------------------------

    @Override
    public void commit(Transaction durable, List<Expectation> expected, List<Op> allOps) {
        String proposal = UUID.randomUUID().toString();
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(entries.encode(proposal, durable, expected)));
        long deadline = System.nanoTime() + tuning.writeTimeout().toNanos();
        proposed.put(proposal, allOps);
        try {
            RaftClientReply reply = writes.get().async().send(message).get(tuning.writeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            if (!reply.isSuccess()) throw outcomeUnknown(String.valueOf(reply.getException()));
            // the coordinator has applied it; reads here must see it too before the write returns
            if (!progress.await(reply.getLogIndex(), Math.max(0, deadline - System.nanoTime()))) {
                throw outcomeUnknown("committed, but not yet applied on this member within " + tuning.writeTimeout().toMillis() + " ms");
            }
            if (reply.getMessage().getContent().equals(DatabaseStateMachine.UNMET.getContent())) {
                throw new Expectation.Unmet(reply.getLogIndex());
            }
        } catch (TimeoutException e) {
            writes.drop();
            throw outcomeUnknown("not committed within " + tuning.writeTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            writes.drop();
            throw outcomeUnknown(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw outcomeUnknown("interrupted");
        } finally {
            proposed.remove(proposal); // committed later after all, it applies without this member's volatile part
        }
    }

    /**
     * The coordinator applies up to what it knows committed. A member sends a read-only request to itself: Ratis
     * asks the coordinator for its commit index and answers once this copy has applied up to it. Without a known
     * coordinator there is nothing to ask, and the copy stands.
     */
    @Override
    public boolean catchUp() {
        if (division().getInfo().getLeaderId() == null) return false;
        long limit = 2 * tuning.electionTimeout().toNanos();
        try {
            if (isCoordinator()) return progress.await(division().getRaftLog().getLastCommittedIndex(), limit);
            return catchUps.get().async().sendReadOnly(Message.EMPTY, RaftPeerId.valueOf(self.id())).get(limit, TimeUnit.NANOSECONDS).isSuccess();
        } catch (TimeoutException | ExecutionException e) {
            catchUps.drop();
            LOG.log(Level.DEBUG, "this member's copy could not be brought up to the coordinator's", e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A Ratis client of the group, which follows the leader as it changes; made again when the group's members
     * change, so that it knows every one of them, and after a request of its timed out (its retries stop with it).
     */
    private final class GroupClient {
        private RaftClient client;
        private java.util.Set<RaftPeer> peers = java.util.Set.of();

        synchronized RaftClient get() {
            var now = new java.util.HashSet<>(division().getRaftConf().getAllPeers());
            // a member that is joining is not in the group it knows yet, but its catch-ups are sent to itself
            if (now.stream().noneMatch(ReplicatedDatabase.this::isSelf)) now.add(self.toRaft(RaftPeerRole.LISTENER));
            if (client != null && now.equals(peers)) return client;
            drop();
            var builder = RaftClient.newBuilder()
                    .setClientId(ClientId.randomId()) // its call ids must not meet the admin requests' below
                    .setRaftGroup(RaftGroup.valueOf(groupId, now))
                    .setProperties(RaftProperties.client(tuning))
                    .setParameters(tlsParameters)
                    .setRetryPolicy(RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(RETRY_MILLIS, TimeUnit.MILLISECONDS)));
            RaftPeerId leader = division().getInfo().getLeaderId();
            if (leader != null) builder.setLeaderId(leader);
            client = builder.build();
            peers = java.util.Set.copyOf(now);
            return client;
        }

        synchronized void drop() {
            if (client == null) return;
            try {
                client.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing a client of the pool database", e);
            }
            client = null;
        }
    }

    /** XAPI's answer from a pool member that is not the coordinator: where the coordinator is ("" while none is known). */
    private ApiError notCoordinator() {
        return ApiError.of("HOST_IS_SLAVE", coordinator().map(Peer::host).orElse(""));
    }

    /** The entry may have reached the log: it will be applied on every member if a later leader commits it. */
    private static ApiError outcomeUnknown(String why) {
        return ApiError.internal("the pool database did not confirm the write, which may still take effect: " + why);
    }

    // ---- membership -------------------------------------------------------------------------

    /** Every member, voting or not. */
    public List<Peer> members() {
        var all = new ArrayList<>(voters());
        all.addAll(followers());
        return all;
    }

    /** The voting members. */
    public List<Peer> voters() { return peers(RaftPeerRole.FOLLOWER); }

    /** The members that hold the whole database but do not vote. */
    public List<Peer> followers() { return peers(RaftPeerRole.LISTENER); }

    private List<Peer> peers(RaftPeerRole role) {
        return division().getRaftConf().getCurrentPeers(role).stream().map(Peer::of).toList();
    }

    /** On the coordinator: adds a member that receives the whole database but does not vote. */
    public void addFollower(Peer peer) { reconfigure(v -> v, f -> plus(f, peer)); }

    /** On the coordinator: adds a voting member (it catches up before it counts towards a majority). */
    public void addVoter(Peer peer) { reconfigure(v -> plus(v, peer), f -> f); }

    /**
     * On the coordinator: a follower becomes a voter, or a voter a follower, in one change of the group. Every member
     * entered as a voter ({@link #admit}), so a follower promoted again has been through Ratis's catch-up and votes
     * at once; taking it out and back in instead would leave a moment in which, not in the group, it could stand for
     * election and be told to shut down.
     */
    public void setVoting(String peerId, boolean voting) {
        Peer p = members().stream().filter(x -> x.id().equals(peerId)).findFirst()
                .orElseThrow(() -> ApiError.internal("no member " + peerId + " in the pool database's group"));
        if (voting == voters().contains(p)) return;
        reconfigure(v -> voting ? plus(v, p) : minus(v, peerId), f -> voting ? minus(f, peerId) : plus(f, p));
    }

    /**
     * On the coordinator: takes a member in as a voter (nothing if it is a member already) and returns once the
     * group includes it: Ratis brings a new voter up to date before it counts. Every member comes in as a voter:
     * one added as a follower straight away is never told it is up to date, so it would neither vote if promoted
     * nor apply the last entries until more came. {@link #balanceVoters} later makes it a follower if too many vote.
     */
    public void admit(Peer peer) {
        if (!isMember(peer.id())) addVoter(peer);
    }

    /**
     * On the coordinator: promotes followers or demotes voters (never itself) until {@code wanted} members vote, or
     * as near as the group's size allows.
     */
    public void balanceVoters(int wanted) {
        List<Peer> candidates = followers();
        int missing = wanted - voters().size();
        for (int i = 0; i < missing && i < candidates.size(); i++) setVoting(candidates.get(i).id(), true);
        List<Peer> demotable = voters().stream().filter(p -> !p.id().equals(self.id())).toList();
        int extra = voters().size() - wanted;
        for (int i = 0; i < extra && i < demotable.size(); i++) setVoting(demotable.get(i).id(), false);
    }

    /**
     * On the coordinator: each voter it has not heard from for {@code silentFor} changes places with a follower
     * that answers, in one change of the group. A group of five voters then survives the loss of any two of them
     * at a time, however many members it loses in all, as long as answering followers are left to take their
     * places. Returns the ids of the voters that became followers.
     */
    public List<String> replaceSilentVoters(Duration silentFor) {
        var info = division().getInfo();
        if (!info.isLeader()) return List.of();
        Map<String, Long> silence = new java.util.HashMap<>();
        for (var f : info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
            silence.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
        }
        long silentMillis = silentFor.toMillis();
        long answeringMillis = 2 * tuning.electionTimeout().toMillis();
        List<Peer> silent = voters().stream().filter(p -> !p.id().equals(self.id()) && silence.getOrDefault(p.id(), 0L) > silentMillis).toList();
        List<Peer> answering = followers().stream().filter(p -> silence.getOrDefault(p.id(), Long.MAX_VALUE) < answeringMillis).toList();
        int n = Math.min(silent.size(), answering.size());
        if (n == 0) return List.of();
        List<Peer> out = silent.subList(0, n);
        List<Peer> in = answering.subList(0, n);
        reconfigure(v -> swap(v, out, in), f -> swap(f, in, out));
        LOG.log(Level.WARNING, "voters silent for " + silentFor.toSeconds() + " s made followers: " + out.stream().map(Peer::id).toList()
                + "; followers made voters in their place: " + in.stream().map(Peer::id).toList());
        return out.stream().map(Peer::id).toList();
    }

    private static List<Peer> swap(List<Peer> peers, List<Peer> leaving, List<Peer> coming) {
        List<Peer> out = peers;
        for (Peer p : leaving) out = minus(out, p.id());
        for (Peer p : coming) out = plus(out, p);
        return out;
    }

    /**
     * Waits until this member knows the coordinator and has applied every entry it knows to be committed: its
     * copy is then as recent as the group's, give or take the writes of the last moments.
     */
    public void awaitCaughtUp(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                var info = division().getInfo();
                long committed = division().getRaftLog().getLastCommittedIndex();
                if (info.getLeaderId() != null && committed > 0 && info.getLastAppliedIndex() >= committed) return;
                if (System.nanoTime() > deadline) {
                    throw ApiError.internal("the pool database did not catch up within " + limit.toSeconds() + " s"
                            + (info.getLeaderId() == null ? ": no coordinator reachable" : ""));
                }
                Thread.sleep(RETRY_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while the pool database caught up");
        }
    }

    /** Waits until this member hears of a coordinator; false if none within {@code limit}. */
    public boolean awaitCoordinator(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (division().getInfo().getLeaderId() == null) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(RETRY_MILLIS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until this member has applied the entry at {@code index}. */
    public void awaitApplied(long index, Duration limit) {
        try {
            if (!progress.await(index, limit.toNanos())) {
                throw ApiError.internal("the pool database did not reach entry " + index + " within " + limit.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while the pool database caught up");
        }
    }

    /** Whether the group has this member, voting or not. */
    public boolean isMember(String peerId) {
        return members().stream().anyMatch(p -> p.id().equals(peerId));
    }

    /**
     * On the coordinator: hands the coordinator's role to a voter, and returns once it has it (or throws). A
     * follower is made a voter first, and a voter other than this member made a follower, so the voting set keeps
     * its size.
     */
    public void transferCoordinator(String peerId) {
        if (peerId.equals(self.id())) return;
        if (followers().stream().anyMatch(p -> p.id().equals(peerId))) {
            setVoting(peerId, true);
            voters().stream().filter(p -> !p.id().equals(peerId) && !p.id().equals(self.id())).findFirst()
                    .ifPresent(p -> setVoting(p.id(), false));
        }
        try {
            RaftClientReply reply = server.transferLeadership(new TransferLeadershipRequest(clientId, RaftPeerId.valueOf(self.id()),
                    groupId, callIds.incrementAndGet(), RaftPeerId.valueOf(peerId), tuning.writeTimeout().toMillis()));
            if (!reply.isSuccess()) throw ApiError.internal("the coordinator's role did not move to " + peerId + ": " + reply.getException());
        } catch (IOException e) {
            throw ApiError.internal("the coordinator's role did not move to " + peerId + ": " + e);
        }
    }

    /** On the coordinator: removes a member, voting or not. */
    public void remove(String peerId) { reconfigure(v -> minus(v, peerId), f -> minus(f, peerId)); }

    private static List<Peer> plus(List<Peer> peers, Peer p) {
        var out = new ArrayList<>(minus(peers, p.id()));
        out.add(p);
        return out;
    }

    private static List<Peer> minus(List<Peer> peers, String id) { return peers.stream().filter(p -> !p.id().equals(id)).toList(); }

    /**
     * Changes the group as the two functions say, from the group as it is. Ratis takes one change at a time and
     * refuses another while one is under way (an admission's catch-up, say): the change is then made again, from
     * the group as that one left it, for up to the write timeout.
     */
    private void reconfigure(UnaryOperator<List<Peer>> voters, UnaryOperator<List<Peer>> followers) {
        long deadline = System.nanoTime() + tuning.writeTimeout().toNanos();
        while (true) {
            if (!division().getInfo().isLeader()) throw notCoordinator();
            List<Peer> newVoters = voters.apply(voters());
            if (newVoters.isEmpty()) throw ApiError.internal("the pool database's group needs a voter");
            var args = SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(newVoters.stream().map(p -> p.toRaft(RaftPeerRole.FOLLOWER)).toList())
                    .setListenersInNewConf(followers.apply(followers()).stream().map(p -> p.toRaft(RaftPeerRole.LISTENER)).toList())
                    .build();
            Exception failure;
            try {
                RaftClientReply reply = server.setConfiguration(new SetConfigurationRequest(clientId, RaftPeerId.valueOf(self.id()),
                        groupId, callIds.incrementAndGet(), args));
                if (reply.isSuccess()) return;
                failure = reply.getException();
            } catch (IOException e) {
                failure = e;
            }
            if (!(failure instanceof ReconfigurationInProgressException) || System.nanoTime() > deadline) {
                throw ApiError.internal("the pool database's group was not changed: " + failure);
            }
            try {
                Thread.sleep(10 * RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiError.internal("interrupted while the pool database's group changed");
            }
        }
    }

    // ---- snapshots --------------------------------------------------------------------------

    /** Snapshots this member's database now (and lets Ratis purge the log before it); returns the log index. */
    public long takeSnapshot() {
        try {
            RaftClientReply reply = server.snapshotManagement(SnapshotManagementRequest.newCreate(clientId, RaftPeerId.valueOf(self.id()),
                    groupId, callIds.incrementAndGet(), tuning.writeTimeout().toMillis()));
            if (!reply.isSuccess()) throw ApiError.internal("no snapshot of the pool database: " + reply.getException());
            return reply.getLogIndex();
        } catch (IOException e) {
            throw ApiError.internal("no snapshot of the pool database: " + e);
        }
    }

    /** How many snapshots this member has loaded, at start or sent by the leader. */
    public long snapshotsLoaded() { return progress.snapshotsLoaded(); }

    /** The index of the first entry this member's log still holds: above 1 once a snapshot let it purge. */
    public long firstLogIndex() { return division().getRaftLog().getStartIndex(); }

    /** The index of the last entry this member has applied. */
    public long lastAppliedIndex() { return division().getInfo().getLastAppliedIndex(); }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            var restart = restarting;
            if (restart != null) {
                try {
                    if (restart.await(tuning.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)) return division();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new UncheckedIOException("the pool database's member " + self.id() + " has no group " + groupId, e);
        }
    }

    private boolean isSelf(RaftPeer p) { return p.getId().toString().equals(self.id()); }

    /**
     * A voter made a follower goes on as Ratis made it, a voter in all but name: Ratis 3.2.2 changes a listener
     * into a voter when the group says so, but not a voter into a listener. Such a member would stand for election
     * when it next missed the coordinator, be told it is not in the group, and shut its division down for good. So
     * once the group it applied has it as a follower, it restarts its division from its own storage, in this
     * process, and Ratis starts it as what the group says it is. The stop snapshots what the database holds; the new
     * division loads that snapshot, as a restarted member does, and goes on from the log.
     */
    private void listenIfDemoted() {
        synchronized (restartLock) {
            if (closed) return;
            RaftServer.Division d;
            try {
                d = server.getDivision(groupId);
            } catch (IOException e) {
                return;
            }
            var conf = d.getRaftConf();
            boolean stable = conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty() && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
            boolean listed = conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().anyMatch(this::isSelf);
            if (!stable || !listed || d.getInfo().isListener() || !d.getInfo().isAlive()) return;
            var group = RaftGroup.valueOf(groupId, conf.getAllPeers());
            restarting = new java.util.concurrent.CountDownLatch(1);
            long t0 = System.nanoTime();
            try {
                var self = RaftPeerId.valueOf(this.self.id());
                RaftClientReply removed = server.groupManagement(GroupManagementRequest.newRemove(clientId, self, callIds.incrementAndGet(), groupId, false, false));
                if (!removed.isSuccess()) throw new IOException(String.valueOf(removed.getException()));
                machine = newMachine();
                RaftClientReply added = server.groupManagement(GroupManagementRequest.newAdd(clientId, self, callIds.incrementAndGet(), group, false));
                if (!added.isSuccess()) throw new IOException(String.valueOf(added.getException()));
                LOG.log(Level.INFO, "the pool database's member " + this.self.id() + " restarted as a follower that does not vote, in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "the pool database's member " + this.self.id() + " could not restart as a follower", e);
            } finally {
                restarting.countDown();
                restarting = null;
            }
        }
    }

    @Override
    public void close() {
        synchronized (restartLock) { closed = true; }
        stopServer();
        db.close();
    }

    private void stopServer() {
        writes.drop();
        catchUps.drop();
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "stopping the pool database's member " + self.id(), e);
        }
    }
}

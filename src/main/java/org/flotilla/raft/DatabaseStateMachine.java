package org.flotilla.raft;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.flotilla.db.Database;
import org.flotilla.db.Op;
import org.flotilla.db.SnapshotFormat;
import org.flotilla.db.Transaction;

/**
 * A member's database as Ratis's state machine: each committed entry is applied to the {@link Database}, in log
 * order, on Ratis's one apply thread; a snapshot is the database's persistent objects in the journal's
 * {@link SnapshotFormat}, named by the log's term and index so that Ratis can send it to a member that lags
 * behind a purged log, and load it at start.
 */
final class DatabaseStateMachine extends BaseStateMachine {
    private static final System.Logger LOG = System.getLogger(DatabaseStateMachine.class.getName());

    /** What a member is told of its group: its leadership, and changes of who is in it. */
    interface GroupEvents {
        void leaderChanged(String leaderId);

        void leaderReady();

        /** A change of the group's members or of who votes was applied; called on the apply thread. */
        void membersChanged();
    }

    private final Database db;
    private final LogEntries entries;
    private final SnapshotFormat snapshots;
    /** The proposer's own transactions, by proposal id: all their operations, those the log does not keep too. */
    private final Map<String, List<Op>> proposed;
    private final GroupEvents events;
    private final AppliedIndex progress;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    /** What an entry's reply says when its expectations did not hold and it changed nothing. */
    static final Message UNMET = Message.valueOf("unmet");

    DatabaseStateMachine(Database db, LogEntries entries, SnapshotFormat snapshots, Map<String, List<Op>> proposed,
            GroupEvents events, AppliedIndex progress) {
        this.db = db;
        this.entries = entries;
        this.snapshots = snapshots;
        this.proposed = proposed;
        this.events = events;
        this.progress = progress;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /** A member's catch-up barrier: Ratis calls this once the copy has applied up to the read index; there is nothing to read. */
    @Override
    public CompletableFuture<Message> query(Message request) { return CompletableFuture.completedFuture(Message.EMPTY); }

    /** Ratis pauses the machine before it installs a snapshot the leader sent, then calls {@link #reinitialize}. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** The database becomes the newest snapshot's, if there is one. */
    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        if (latest == null) return;
        Path file = latest.getFile().getPath();
        MD5Hash md5 = latest.getFile().getFileDigest();
        if (md5 != null) MD5FileUtil.verifySavedMD5(file.toFile(), md5);
        Transaction snapshot = snapshots.read(file);
        db.replaceDurableState(snapshot.ops().stream().map(Op.Put.class::cast).toList());
        setLastAppliedTermIndex(latest.getTermIndex());
        progress.snapshotLoaded(latest.getIndex());
        LOG.log(Level.INFO, "pool database loaded from snapshot " + latest.getTermIndex() + " (" + snapshot.ops().size() + " objects)");
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() { return storage; }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        try {
            LogEntries.Entry e = entries.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
            List<Op> own = proposed.remove(e.proposal());
            boolean applied = db.applyCommitted(e.expected(), own != null ? own : e.transaction().ops());
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(applied ? Message.EMPTY : UNMET);
        } catch (IOException | RuntimeException ex) {
            // Every member fails the same way on the same entry, so the copies stay alike; say so loudly.
            LOG.log(Level.ERROR, "pool database: log entry " + entry.getIndex() + " could not be applied", ex);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.failedFuture(ex);
        }
    }

    /** Runs on the apply thread, so the database is exactly at the last applied entry. */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null) return RaftLog.INVALID_LOG_INDEX;
        Database.DurableState state = db.durableState();
        Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        snapshots.write(tmp, state.generation(), System.currentTimeMillis(), state.objects(), () -> { });
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, md5), last));
        return last.getIndex();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        events.leaderChanged(newLeader == null ? null : newLeader.toString());
    }

    @Override
    public void notifyLeaderReady() { events.leaderReady(); }

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto newConf) { events.membersChanged(); }

    /** Every entry applied, the database's and Ratis's own (a new term's first, a change of the group), moves the progress on. */
    @Override
    protected boolean updateLastAppliedTermIndex(TermIndex applied) {
        boolean moved = super.updateLastAppliedTermIndex(applied);
        progress.applied(applied.getIndex());
        return moved;
    }
}

package org.flotilla.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Ratis's settings for a member: gRPC on the member's port, its storage, snapshots and log purging. */
final class RaftProperties {
    private static final long PREALLOCATED = 4 << 20;

    private RaftProperties() {}

    static org.apache.ratis.conf.RaftProperties of(Path dir, Peer self, RaftTuning tuning) {
        var p = new org.apache.ratis.conf.RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(p, self.host());
        GrpcConfigKeys.Server.setPort(p, self.port());
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
        long election = tuning.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * election, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, tuning.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // a member that restarts is written to within a second, not after Ratis's default 5 s pauses
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,20, 1s,1000000");
        // a member recovers from its last snapshot and its log, as after a crash: the log's replay is always the path taken
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, tuning.snapshotEvery()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(tuning.segmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(PREALLOCATED, tuning.segmentBytes())));
        // a member's catchUp asks the coordinator for its commit index (read index)
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        return p;
    }

    /** The settings of a member's client, which sends its writes to the coordinator. */
    static org.apache.ratis.conf.RaftProperties client(RaftTuning tuning) {
        var p = new org.apache.ratis.conf.RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        // one try waits no longer than a new coordinator takes to be elected; the client then tries the next member
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(2 * tuning.electionTimeout().toMillis(), TimeUnit.MILLISECONDS));
        return p;
    }
}

package org.flotilla.raft;

import java.time.Duration;

/**
 * How often a member snapshots its database and cuts its log, and how long a write waits for the group.
 *
 * @param snapshotEvery  a snapshot after this many log entries; the log before it is then purged
 * @param segmentBytes   the size of a log segment; only whole closed segments are purged
 * @param writeTimeout   how long a write waits to be committed before it fails with its outcome unknown
 * @param electionTimeout how long a follower waits without hearing from the leader before it stands for election
 *                       (a random time between this and twice this); Ratis's 150 ms stood down healthy leaders
 *                       on a busy two-core machine
 */
public record RaftTuning(long snapshotEvery, long segmentBytes, Duration writeTimeout, Duration electionTimeout) {
    public static final RaftTuning DEFAULT = new RaftTuning(10_000, 8L << 20, Duration.ofSeconds(10), Duration.ofSeconds(1));

    /** These settings with log compaction after {@code entries} entries, in segments of {@code bytes}. */
    public RaftTuning compactingEvery(long entries, long bytes) {
        return new RaftTuning(entries, bytes, writeTimeout, electionTimeout);
    }
}

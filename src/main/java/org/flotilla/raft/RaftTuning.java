package org.flotilla.raft;

import java.time.Duration;

/**
 * How often a member snapshots its database and cuts its log, and how long a write waits for the group.
 *
 * @param snapshotEvery  a snapshot after this many log entries; the log before it is then purged
 * @param segmentBytes   the size of a log segment; only whole closed segments are purged
 * @param writeTimeout   how long a write waits to be committed before it fails with its outcome unknown
 */
public record RaftTuning(long snapshotEvery, long segmentBytes, Duration writeTimeout) {
    public static final RaftTuning DEFAULT = new RaftTuning(10_000, 8L << 20, Duration.ofSeconds(10));
}

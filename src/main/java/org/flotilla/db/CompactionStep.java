package org.flotilla.db;

/**
 * The points of a compaction after which the files on disk differ; tests stop a compaction at each
 * one, as a crash would, and check that the directory still recovers to the same state.
 */
enum CompactionStep {
    /** Part of the snapshot is in its .tmp file. */
    SNAPSHOT_PARTLY_WRITTEN,
    /** The whole snapshot is in its .tmp file, forced. */
    SNAPSHOT_WRITTEN,
    /** snapshot-G.snap exists and is durable; the old journal is still the newest. */
    SNAPSHOT_PUBLISHED,
    /** The new, empty journal is in its .tmp file. */
    JOURNAL_CREATED,
    /** journal-G.log exists and is durable; the old journal and snapshot are still there. */
    JOURNAL_PUBLISHED,
    /** The old journal is deleted, the older snapshot not yet. */
    OLD_JOURNAL_DELETED,
    /** Only snapshot-G and journal-G remain. */
    DONE
}

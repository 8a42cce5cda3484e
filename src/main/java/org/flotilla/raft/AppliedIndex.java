package org.flotilla.raft;

/**
 * How far a member's database has applied the log, and how many snapshots it loaded: kept by the member, not by
 * its state machine, so that a wait goes on across a restart of the member's Raft division in the same process.
 */
final class AppliedIndex {
    private long index;
    private long snapshotsLoaded;

    synchronized void applied(long entry) {
        if (entry > index) index = entry;
        notifyAll();
    }

    synchronized void snapshotLoaded(long entry) {
        snapshotsLoaded++;
        applied(entry);
    }

    synchronized long snapshotsLoaded() { return snapshotsLoaded; }

    /** Waits until the entry at {@code entry} is applied; false if the time ran out first. */
    synchronized boolean await(long entry, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (index < entry) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}

package org.flotilla.db;

import java.util.List;

/**
 * The log of a database shared by a group of members, each holding a whole copy. A transaction's
 * persistent operations are committed to the log; every member, the proposer too, applies what the log
 * commits, in its order, through {@link Database#applyCommitted}.
 */
public interface ReplicatedLog {
    /**
     * Commits {@code durable} and returns once this member has applied it; {@code allOps} are the
     * transaction's operations including those on classes the log does not keep, which only the
     * proposer applies. {@code expected} must still hold when the group applies it, or nothing is
     * applied and {@link Expectation.Unmet} is thrown (once this copy has caught up to that point, so
     * the transaction can be made again from fresh state). Throws an {@link org.flotilla.model.ApiError}
     * when the outcome is not known.
     */
    void commit(Transaction durable, List<Expectation> expected, List<Op> allOps);

    /**
     * Returns once this copy has applied every change the group committed before the call (Raft's read index),
     * so that what a client wrote through another member is seen here. False when that could not be learned in
     * time, with no coordinator reachable: the copy is then only as recent as it is. A log that applies what it
     * commits at once, as a group of one does, is always caught up.
     */
    default boolean catchUp() { return true; }
}

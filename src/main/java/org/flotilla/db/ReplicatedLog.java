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
     * proposer applies. Throws an {@link org.flotilla.model.ApiError} when this member may not write
     * (it is not the group's leader) or the outcome is not known.
     */
    void commit(Transaction durable, List<Op> allOps);
}

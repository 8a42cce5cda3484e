package org.flotilla.api;

import java.util.function.Supplier;
import org.flotilla.db.Database;

/**
 * When a member's copy of the pool database is brought up to the pool's before or after a call (a Raft read index: a
 * round trip to the coordinator). A session lives on the member that opened it, and within it the copy only moves
 * forward and holds the session's own writes, each applied here before it returns. So a session reads its member's copy
 * as it is, as a ZooKeeper client reads its server's, and the copy catches up only where a call could otherwise miss
 * what happened elsewhere before it:
 * <ul>
 *   <li>a new session ({@link Sessions}: a login, xe's on the host's socket): it starts from everything the pool
 *       committed before it;</li>
 *   <li>a call another member forwards here: it acts on what its caller wrote there;</li>
 *   <li>a reference this copy lacks, before it is called invalid: written elsewhere a moment ago, perhaps;</li>
 *   <li>after a call this member sends to another: what that host wrote is read here by the caller's next call.</li>
 * </ul>
 * Changes made by other sessions reach the copy as the pool replicates them, within milliseconds on a healthy pool;
 * clients that follow them watch with {@code event.from}, as they do on XAPI.
 */
final class CatchUps {
    /** How many catch-ups a reference missing from a copy that was not brought up to date is worth. */
    private static final int ON_MISS = 2;

    private CatchUps() {}

    /**
     * Catches the copy up for a call another member {@code forwarded}; returns how many more catch-ups a missing
     * reference is worth: none after one that succeeded, one after one that timed out, else {@link #ON_MISS}.
     */
    static int beforeCall(Database db, boolean forwarded) {
        if (!forwarded) return ON_MISS;
        return db.catchUp() ? 0 : 1;
    }

    /** Runs a call on another host, then brings this copy up to what that host wrote, whether the call failed or not. */
    static <T> T after(Database db, Supplier<T> remoteCall) {
        try {
            return remoteCall.get();
        } finally {
            db.catchUp();
        }
    }
}

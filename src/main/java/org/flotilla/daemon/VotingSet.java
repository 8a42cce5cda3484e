package org.flotilla.daemon;

/**
 * How many of a pool's members vote in its database's group. One or two members: the coordinator alone, so a
 * two-host pool goes on when its other member is lost, and needs its coordinator back when the coordinator is lost.
 * Three and more: every member, so the pool survives the loss of any minority, the coordinator included.
 *
 * <p>Large pools should keep a small voting set (3 or 5) and hold the others as non-voting followers; that waits on
 * followers that keep up through a change of coordinator, which Ratis 3.2.2's listeners were not seen to do with 16
 * members (see the design notes).
 */
final class VotingSet {
    private VotingSet() {}

    static int wanted(int members) { return members < 3 ? 1 : members; }
}

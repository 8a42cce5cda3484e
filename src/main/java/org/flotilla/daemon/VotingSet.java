package org.flotilla.daemon;

/**
 * How many of a pool's members vote in its database's group; the others follow it as non-voting members that hold
 * the whole database. One or two members: the coordinator alone, so a two-host pool goes on when its other member
 * is lost, and needs its coordinator back (or an emergency transition) when the coordinator is lost. Three or four:
 * three voters, five from five members on: the pool survives the loss of one voter, or two, the coordinator
 * included, and every write waits for three voters at most, however large the pool. A voter silent for long gives
 * its place to a follower that answers ({@code ReplicatedDatabase.replaceSilentVoters}), so a large pool outlives
 * the loss of more hosts than that, as long as they are not lost at once.
 */
final class VotingSet {
    private VotingSet() {}

    static int wanted(int members) {
        if (members < 3) return 1;
        return members < 5 ? 3 : 5;
    }
}

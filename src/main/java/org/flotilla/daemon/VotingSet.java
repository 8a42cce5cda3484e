package org.flotilla.daemon;

/**
 * How many of a pool's members vote in its database's group. One or two members: the coordinator alone, so a
 * two-host pool goes on when its other member is lost, and needs pool.emergency_transition_to_master when its
 * coordinator is. Three or four: three, which survive the loss of any one. Five and more: five, which survive
 * two; the others follow without voting, so a large pool's writes wait on five members, not all.
 */
final class VotingSet {
    private VotingSet() {}

    static int wanted(int members) {
        if (members < 3) return 1;
        return members < 5 ? 3 : 5;
    }
}

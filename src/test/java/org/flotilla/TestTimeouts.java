package org.flotilla;

/**
 * How much longer than on a quiet machine a test waits for a guest, a daemon or an event. These are
 * bounds on waiting, not measurements: they only run out when something is wrong, so they are generous
 * enough that a machine busy with other work does not fail a test that would pass.
 */
public final class TestTimeouts {
    public static final int LOADED = 4;

    private TestTimeouts() {}
}

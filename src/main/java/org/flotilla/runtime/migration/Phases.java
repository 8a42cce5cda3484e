package org.flotilla.runtime.migration;

import java.util.concurrent.TimeUnit;

/**
 * Where a migration's time went on one host, step by step, for its log: each step with the milliseconds since the
 * one before. What the destination's prepare spends is the source's wait before the first byte moves.
 */
final class Phases {
    private long last = System.nanoTime();
    private final StringBuilder steps = new StringBuilder();

    /** The step that ends now. */
    synchronized void mark(String step) {
        long now = System.nanoTime();
        if (!steps.isEmpty()) steps.append(", ");
        steps.append(step).append(' ').append(TimeUnit.NANOSECONDS.toMillis(now - last));
        last = now;
    }

    @Override
    public synchronized String toString() { return steps + " (ms)"; }
}

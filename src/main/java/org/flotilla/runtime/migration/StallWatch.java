package org.flotilla.runtime.migration;

import java.util.concurrent.TimeUnit;

/**
 * Tells a migration stream that has stopped moving from one that is slow: fed the bytes carried so far, it says
 * whether that count has stayed the same for longer than its bound.
 */
final class StallWatch {
    private final long boundNanos;
    private long lastCount = -1;
    private long since = System.nanoTime();

    StallWatch(long boundSeconds) { this.boundNanos = TimeUnit.SECONDS.toNanos(boundSeconds); }

    /** Whether {@code count} has not changed for longer than the bound (counting from the first call). */
    boolean stalled(long count) {
        long now = System.nanoTime();
        if (count != lastCount) {
            lastCount = count;
            since = now;
            return false;
        }
        return now - since > boundNanos;
    }
}

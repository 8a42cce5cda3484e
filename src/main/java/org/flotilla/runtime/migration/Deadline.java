package org.flotilla.runtime.migration;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * Closes a channel unless what it is for has been done in time: blocking channels have no timeouts of their own, and
 * a peer that connects and then says nothing must not hold a thread (nor the way in) for ever.
 */
final class Deadline implements AutoCloseable {
    private final Thread watch;

    private Deadline(Thread watch) { this.watch = watch; }

    static Deadline closing(Closeable channel, Duration after) {
        return new Deadline(Thread.ofVirtual().name("deadline").start(() -> {
            try {
                Thread.sleep(after);
            } catch (InterruptedException e) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                // it is being given up on
            }
        }));
    }

    /** Done in time: the channel stays open. */
    @Override
    public void close() { watch.interrupt(); }
}

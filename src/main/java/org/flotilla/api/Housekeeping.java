package org.flotilla.api;

import java.time.Duration;

/**
 * XAPI's database GC thread (db_gc.ml) for the API's own objects: every interval (30 s in XAPI), a pass over tasks,
 * then over sessions, so that a session whose task was just collected may go in the same pass.
 */
public final class Housekeeping implements AutoCloseable {
    private final Tasks tasks;
    private final Sessions sessions;
    private final Thread thread;

    public Housekeeping(Tasks tasks, Sessions sessions, Duration interval) {
        this.tasks = tasks;
        this.sessions = sessions;
        this.thread = Thread.ofVirtual().name("housekeeping").start(() -> {
            try {
                while (true) {
                    Thread.sleep(interval);
                    try {
                        pass();
                    } catch (RuntimeException e) {
                        // as XAPI's GC thread: a failed pass is logged, and the next one tries again
                        System.getLogger(Housekeeping.class.getName()).log(System.Logger.Level.WARNING, "housekeeping pass failed", e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void pass() {
        tasks.collect();
        sessions.collect(tasks.sessionsWithTasksInProgress());
    }

    @Override
    public void close() { thread.interrupt(); }
}

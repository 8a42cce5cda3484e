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
                    pass();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public synchronized void pass() {
        tasks.collect();
        sessions.collect(tasks.sessionsWithTasksInProgress());
    }

    @Override
    public void close() { thread.interrupt(); }
}

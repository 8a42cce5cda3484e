package org.flotilla.bench;

/**
 * A bench's run with its cleanup (stopping the daemons and QEMUs it started, removing its state) done whichever way it
 * ends: once it returns or throws, and from a shutdown hook if the JVM is stopped meanwhile (SIGINT, SIGTERM). The
 * cleanup must be idempotent: both may call it.
 */
final class CleanupHook {
    interface Body {
        void run() throws Exception;
    }

    private CleanupHook() {}

    static void around(String name, Body body, Runnable cleanup) throws Exception {
        Thread hook = new Thread(cleanup, name);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            body.run();
        } finally {
            cleanup.run();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException exiting) { }
        }
    }
}

package org.flotilla.runtime.launch;

import org.flotilla.os.Spawner;

/**
 * The processes the daemon starts outside the JDK's ProcessBuilder (jailed QEMUs and swtpms): a handle on
 * each, and its exit status collected as soon as it ends, so that no zombie stays behind it. A daemon that
 * restarts finds them again as processes that are not its children; init collects those.
 */
final class Children {
    private Children() {}

    static ProcessHandle watch(long pid) {
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " vanished before it was watched"));
        p.onExit().thenRun(() -> Spawner.reap(pid));
        return p;
    }
}

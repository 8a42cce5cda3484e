package org.flotilla.host.vm;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flotilla.qemu.Qmp;

/**
 * A running QEMU of one VM, as the runtime knows it: its pid, QMP connection and run directory. An operation
 * that ends the process itself (shutdown, suspend) sets {@link #expectExit} first, so that the exit is not
 * taken for a crash; one that waits for the guest to power off sets {@link #expectGuestShutdown}.
 */
final class Domain {
    final String vmRef;
    final String uuid;
    final Path runDir;
    final long pid;
    final ProcessHandle process;
    final Qmp qmp;
    volatile boolean expectExit;
    volatile boolean expectGuestShutdown;
    /** Set once the runtime has handled the end of this QEMU (exit noticed, state written). */
    final AtomicBoolean ended = new AtomicBoolean();

    Domain(String vmRef, String uuid, Path runDir, long pid, ProcessHandle process, Qmp qmp) {
        this.vmRef = vmRef;
        this.uuid = uuid;
        this.runDir = runDir;
        this.pid = pid;
        this.process = process;
        this.qmp = qmp;
    }

    boolean alive() { return process.isAlive(); }
}

package org.flotilla.runtime.domain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.Qmp;
import org.flotilla.qemu.QmpErrorException;
import org.flotilla.qemu.QmpException;

/**
 * A running QEMU of one VM, as the runtime knows it: its pid, QMP connection and run directory. An operation
 * that ends the process itself (shutdown, suspend) calls {@link #expectExit} first, so that the exit is not
 * taken for a crash; one that waits for the guest to power off calls {@link #expectGuestShutdown}.
 */
public final class Domain {
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

    public final Ref<VM> vmRef;
    public final String uuid;
    public final Path runDir;
    public final long pid;
    public final ProcessHandle process;
    public final Qmp qmp;
    /** The uid (and gid) of the VM's jail. */
    public final int uid;
    private volatile boolean exitExpected;
    private volatile boolean guestShutdownExpected;
    /** Set once the guest's balloon driver has been asked to report its memory statistics. */
    volatile boolean statsPolling;
    /** Set once the runtime has handled the end of this QEMU (exit noticed, state written). */
    private final AtomicBoolean ended = new AtomicBoolean();

    public Domain(Ref<VM> vmRef, String uuid, Path runDir, long pid, ProcessHandle process, Qmp qmp, int uid) {
        this.vmRef = vmRef;
        this.uuid = uuid;
        this.runDir = runDir;
        this.pid = pid;
        this.process = process;
        this.qmp = qmp;
        this.uid = uid;
    }

    /** An operation of ours is about to end the process: its exit is no crash. */
    public void expectExit() { exitExpected = true; }

    public boolean exitExpected() { return exitExpected; }

    /** While an operation of ours powers the guest off or resets it, the guest's own SHUTDOWN and RESET are its. */
    public void expectGuestShutdown(boolean expected) { guestShutdownExpected = expected; }

    public boolean guestShutdownExpected() { return guestShutdownExpected; }

    /** Marks the end of this QEMU handled; true for the one caller that does. */
    public boolean markEnded() { return ended.compareAndSet(false, true); }

    public boolean hasEnded() { return ended.get(); }

    /** The monitor through which this QEMU takes descriptors. */
    public Path fdSocket() { return fdSocket(runDir); }

    /** The socket of QEMU's second monitor, through which the daemon hands it descriptors ({@link org.flotilla.qemu.QmpFds}). */
    public static Path fdSocket(Path runDir) { return runDir.resolve("fds.sock"); }

    public boolean alive() { return process.isAlive(); }

    /** Asks QEMU to quit (QMP {@code quit}), and kills it if it has not gone soon after. */
    public void quit() throws InterruptedException {
        try {
            qmp.execute("quit", Map.of(), Duration.ofSeconds(5));
        } catch (QmpException e) {
            // it may close the connection before answering
        }
        if (!waitExit()) kill();
    }

    /** A fresh boot in the same QEMU: reset, then run — from a running, powered-off or panicked guest alike. */
    public void reboot() throws QmpException {
        qmp.execute("system_reset");
        qmp.execute("cont");
    }

    /**
     * Asks the guest's balloon driver for a new memory size. A guest without one keeps what it has: QEMU says
     * so, and that is logged, not thrown; a QMP connection that fails is.
     */
    public void balloon(long bytes) throws QmpException {
        try {
            qmp.execute("balloon", Map.of("value", bytes));
        } catch (QmpErrorException e) {
            System.getLogger(Domain.class.getName()).log(System.Logger.Level.WARNING, "balloon of " + uuid + ": " + e.getMessage());
        }
    }

    public void kill() {
        process.destroyForcibly();
        waitExit();
        qmp.close();
    }

    private boolean waitExit() {
        try {
            process.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !process.isAlive();
        }
    }
}

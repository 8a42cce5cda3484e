package org.flotilla.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.flotilla.jail.Jail;
import org.flotilla.jail.JailRoot;
import org.flotilla.model.ApiError;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;
import org.flotilla.runtime.domain.HostFiles;

/**
 * The software TPM behind a VM's vTPM: one {@code swtpm socket --tpm2} per running VM, in the VM's jail (its
 * uid and cgroup, its run dir at /vm and the vTPM's state at /tpm) under swtpm's own seccomp profile, in its
 * own session beside QEMU (so that it outlives a daemon restart as QEMU does). Its control socket and pid file
 * are in the VM's run dir; it ends by itself when QEMU lets go of it ({@code --terminate}), and {@link #stop}
 * makes sure.
 */
public final class Swtpm {
    private static final long READY_MILLIS = 20_000;

    private final String binary;
    private final VmJails jails;

    public Swtpm(String binary, VmJails jails) {
        this.binary = binary;
        this.jails = jails;
    }

    public static Path pidFile(Path runDir) { return runDir.resolve("swtpm.pid"); }

    /** Starts the VM's swtpm in {@code jail} and waits for its socket; the run dir exists and is the VM uid's. */
    public void start(Jail jail, Path state, Path runDir, int uid) throws IOException, InterruptedException {
        QemuFiles.give(state, uid);
        Path file = state.resolve(Vtpms.STATE_FILE);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) QemuFiles.give(file, uid);
        Path in = JailRoot.RUN;
        List<String> args = List.of("socket", "--tpm2",
                "--tpmstate", "dir=" + JailRoot.TPM_STATE + ",mode=0600",
                "--ctrl", "type=unixio,path=" + QemuCommand.tpmSocket(in) + ",mode=0600",
                "--pid", "file=" + pidFile(in),
                "--terminate", "--seccomp", "action=kill");
        Path log = runDir.resolve("swtpm.log");
        long pid;
        try (Fd out = Open.appendLog(log); Fd devNull = Open.devNull()) {
            pid = jail.spawn(jails.program(binary), args, List.of(), out, devNull);
        }
        ProcessHandle p = Children.watch(pid);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_MILLIS);
        while (!Files.exists(QemuCommand.tpmSocket(runDir)) || HostFiles.readLong(pidFile(runDir)) <= 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw ApiError.internal("swtpm did not start: " + HostFiles.tail(log));
            }
            Thread.sleep(10);
        }
    }

    /** Ends the swtpm of a run dir, if one runs there. */
    public void stop(Path runDir) {
        process(runDir).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    /**
     * The live swtpm whose pid file is in {@code runDir}: a swtpm in this host's jails running as the run dir's
     * owner, the VM's own uid (pids being reused, and every jail's pid file being /vm/swtpm.pid inside).
     */
    public Optional<ProcessHandle> process(Path runDir) {
        long pid = HostFiles.readLong(pidFile(runDir));
        if (pid <= 0) return Optional.empty();
        int owner;
        try {
            owner = (Integer) Files.getAttribute(runDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> HostFiles.uidOf(pid) == owner && jails.ownsUid(owner) && HostFiles.cmdline(pid).contains("swtpm"));
    }
}

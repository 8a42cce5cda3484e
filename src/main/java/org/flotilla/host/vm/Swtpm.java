package org.flotilla.host.vm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.flotilla.model.ApiError;

/**
 * The software TPM behind a VM's vTPM: one {@code swtpm socket --tpm2} per running VM, as QEMU's unprivileged
 * user under swtpm's own seccomp profile, in its own session beside QEMU (so that it outlives a daemon restart
 * as QEMU does). Its control socket and pid file are in the VM's run dir; it ends by itself when QEMU lets go
 * of it ({@code --terminate}), and {@link #stop} makes sure.
 */
final class Swtpm {
    private static final long READY_MILLIS = 20_000;

    private final String binary;
    private final QemuUser user;

    Swtpm(String binary, QemuUser user) {
        this.binary = binary;
        this.user = user;
    }

    static Path pidFile(Path runDir) { return runDir.resolve("swtpm.pid"); }

    /** Starts the VM's swtpm and waits for its socket; the run dir exists and belongs to QEMU's user. */
    void start(QemuCommand.Tpm tpm, Path runDir) throws IOException, InterruptedException {
        List<String> argv = List.of(binary, "socket", "--tpm2",
                "--tpmstate", "dir=" + tpm.state() + ",mode=0600",
                "--ctrl", "type=unixio,path=" + tpm.socket() + ",mode=0600",
                "--pid", "file=" + pidFile(runDir),
                "--terminate", "--seccomp", "action=kill");
        Path log = runDir.resolve("swtpm.log");
        Process p = new ProcessBuilder(user.confine(argv, false)).directory(runDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_MILLIS);
        while (!Files.exists(tpm.socket()) || HostFiles.readLong(pidFile(runDir)) <= 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw ApiError.internal("swtpm did not start: " + HostFiles.tail(log));
            }
            Thread.sleep(10);
        }
    }

    /** Ends the swtpm of a run dir, if one runs there. */
    void stop(Path runDir) {
        process(runDir).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    /** The live swtpm whose pid file is in {@code runDir} (checked against its command line, pids being reused). */
    Optional<ProcessHandle> process(Path runDir) {
        long pid = HostFiles.readLong(pidFile(runDir));
        if (pid <= 0) return Optional.empty();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> HostFiles.cmdline(pid).contains(pidFile(runDir).toString()));
    }
}

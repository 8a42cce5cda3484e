package org.flotilla.host.vm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.model.ApiError;
import org.flotilla.qemu.Qmp;

/**
 * Starts a VM's QEMU detached from the daemon — own session, stdio to {@code qemu.log}, as QEMU's user —
 * and connects to its QMP socket; first the VM's swtpm when it has a vTPM. The run dir keeps the argv for
 * whoever debugs it.
 */
final class QemuLauncher {
    private final QemuUser user;
    private final QemuFiles files;
    private final Swtpm swtpm;
    private final boolean kvm;

    QemuLauncher(QemuUser user, QemuFiles files, Swtpm swtpm, String accel) {
        this.user = user;
        this.files = files;
        this.swtpm = swtpm;
        this.kvm = accel.equals("kvm");
    }

    /** The started QEMU, stopped before the guest's first instruction (it waits for {@code cont}). */
    Domain launch(String vmRef, QemuCommand.Spec spec) throws IOException, InterruptedException {
        Path runDir = spec.runDir();
        files.prepareRunDir(runDir);
        for (var d : spec.disks()) if (d.image() != null) files.grantImage(d.image());
        if (spec.uefi() != null) files.grant(spec.uefi().vars());
        List<String> argv = QemuCommand.argv(spec);
        if (!spec.nics().isEmpty()) user.ensureDeviceAccess(Path.of("/dev/net/tun"));
        Files.writeString(runDir.resolve("argv"), String.join("\n", argv) + "\n");
        if (spec.tpm() != null) swtpm.start(spec.tpm(), runDir);
        try {
            return start(vmRef, spec, argv);
        } catch (IOException | RuntimeException e) {
            swtpm.stop(runDir);
            throw e;
        }
    }

    private Domain start(String vmRef, QemuCommand.Spec spec, List<String> argv) throws IOException, InterruptedException {
        Path runDir = spec.runDir();
        Path log = runDir.resolve("qemu.log");
        Process p = new ProcessBuilder(user.confine(argv, kvm)).directory(runDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true).start();
        try {
            Qmp qmp = Qmp.connect(QemuCommand.qmpSocket(runDir), Duration.ofSeconds(30), () -> !p.isAlive());
            return new Domain(vmRef, spec.uuid(), runDir, p.pid(), p.toHandle(), qmp);
        } catch (IOException e) {
            p.waitFor(1, TimeUnit.SECONDS);
            p.destroyForcibly();
            String err = HostFiles.tail(log);
            throw ApiError.internal("QEMU did not start: " + (err.isBlank() ? e.getMessage() : err.strip()));
        }
    }
}

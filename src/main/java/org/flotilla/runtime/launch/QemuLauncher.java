package org.flotilla.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flotilla.jail.Cgroups;
import org.flotilla.jail.Jail;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;
import org.flotilla.os.OsException;
import org.flotilla.os.Tap;
import org.flotilla.qemu.Qmp;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.storage.QemuSecrets;

/**
 * Starts a VM's QEMU in the VM's jail, detached from the daemon (own session, stdio to {@code qemu.log}), and
 * connects to its QMP socket; first the VM's swtpm when it has a vTPM. The daemon opens everything QEMU needs
 * and hands it over as descriptors — disk layers, firmware, taps — and links (or copies) a directly booted
 * kernel into the run directory: QEMU opens nothing of the host by name. The run dir keeps the argv for
 * whoever debugs it.
 */
public final class QemuLauncher {
    private final QemuFiles files;
    private final Swtpm swtpm;
    private final VmJails jails;

    public QemuLauncher(QemuFiles files, Swtpm swtpm, VmJails jails) {
        this.files = files;
        this.swtpm = swtpm;
        this.jails = jails;
    }

    /** The started QEMU, stopped before the guest's first instruction (it waits for {@code cont}). */
    public Domain launch(Ref<VM> vmRef, LaunchSpecs.Launch launch, long domid, Path runDir) throws IOException, InterruptedException {
        QemuCommand.Spec spec = launch.spec();
        Path program = jails.program(spec.qemuBinary());
        int uid = jails.uid(domid);
        files.prepareRunDir(runDir, uid);
        Cgroups.Membership cgroup = jails.cgroup(spec.uuid(), launch.limits());
        try (var fds = new InheritedFds()) {
            QemuCommand.Handles handles = open(spec, runDir, fds);
            List<String> argv = QemuCommand.argv(spec, handles);
            Files.writeString(runDir.resolve("argv"), String.join("\n", argv) + "\n");
            if (spec.tpm() != null) swtpm.start(jails.swtpm(domid, runDir, spec.tpm().state(), cgroup), spec.tpm().state(), runDir, uid);
            List<Path> secrets = giveSecrets(argv, runDir, uid);
            try {
                return start(vmRef, spec, program, argv.subList(1, argv.size()), fds, jails.qemu(domid, runDir, cgroup, spec.vcpusMax()), runDir, uid);
            } catch (IOException | RuntimeException e) {
                swtpm.stop(runDir);
                throw e;
            } finally {
                // QEMU has read them once its monitor answers (or it is gone)
                for (Path f : secrets) Files.deleteIfExists(f);
            }
        }
    }

    /** The secrets the command line names (see {@link QemuSecrets}), as files of the run dir for QEMU alone to read. */
    private static List<Path> giveSecrets(List<String> argv, Path runDir, int uid) throws IOException {
        var out = new ArrayList<Path>();
        for (String id : QemuSecrets.namedIn(String.join("\n", argv))) {
            Path f = QemuSecrets.write(runDir, id);
            out.add(f);
            QemuFiles.give(f, uid);
        }
        return out;
    }

    /** Where a QEMU's stdout and stderr go: its run directory, gone with the domain. */
    public static Path log(Path runDir) { return runDir.resolve("qemu.log"); }

    private static Domain start(Ref<VM> vmRef, QemuCommand.Spec spec, Path program, List<String> args, InheritedFds fds,
                                Jail jail, Path runDir, int uid) throws IOException, InterruptedException {
        Path log = log(runDir);
        long pid;
        try (Fd out = Open.appendLog(log); Fd in = Open.devNull()) {
            pid = jail.spawn(program, args, fds.all(), out, in);
        }
        ProcessHandle p = Children.watch(pid);
        try {
            Qmp qmp = Qmp.connect(QemuCommand.qmpSocket(runDir), Duration.ofSeconds(30), () -> !p.isAlive());
            return new Domain(vmRef, spec.uuid(), runDir, pid, p, qmp, uid);
        } catch (IOException e) {
            p.destroyForcibly();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException ignored) {
                // the log says what there is to say
            }
            String err = HostFiles.tail(log);
            throw ApiError.internal("QEMU did not start: " + (err.isBlank() ? e.getMessage() : err.strip()));
        }
    }

    /** Opens what the spec names, into descriptors QEMU inherits; the boot files go into the run dir. */
    private static QemuCommand.Handles open(QemuCommand.Spec spec, Path runDir, InheritedFds fds) throws IOException {
        if (spec.boot() != null) {
            place(spec.boot().kernel(), runDir.resolve(QemuCommand.KERNEL));
            if (spec.boot().initrd() != null) place(spec.boot().initrd(), runDir.resolve(QemuCommand.INITRD));
        }
        var disks = new LinkedHashMap<String, QemuCommand.DiskSets>();
        for (QemuCommand.Disk d : spec.disks()) {
            if (d.image() == null) continue;
            var sets = new ArrayList<Integer>();
            DiskDescriptors.Opened opened = DiskDescriptors.open(d);
            for (List<Fd> layer : opened.layers()) sets.add(fds.fdset(layer, d.fdsetTag()));
            disks.put(d.userdevice(), new QemuCommand.DiskSets(sets, opened.direct()));
        }
        var taps = new LinkedHashMap<String, Integer>();
        for (QemuCommand.Nic n : spec.nics()) {
            try {
                taps.put(n.device(), fds.inherit(Tap.open(n.tap())));
            } catch (OsException e) {
                throw ApiError.internal("cannot open the tap of VIF " + n.device() + ": " + e.getMessage());
            }
        }
        int code = 0;
        int vars = 0;
        if (spec.uefi() != null) {
            code = fds.fdset(List.of(firmware(spec.uefi().code(), Open.Access.READ)), "uefi-code");
            vars = fds.fdset(List.of(firmware(spec.uefi().vars(), Open.Access.READ_WRITE)), "uefi-vars");
        }
        return new QemuCommand.Handles(disks, taps, code, vars, fds.addFdOptions());
    }

    private static Fd firmware(Path file, Open.Access access) {
        try {
            return Open.file(file, access);
        } catch (OsException e) {
            throw ApiError.internal("cannot open the firmware file " + file + ": " + e.getMessage());
        }
    }

    /**
     * A boot file inside the run dir, as the file opened beneath its allowed directory: a hard link when its
     * owner lets everyone read it (the jailed QEMU can then), else a read-only copy.
     */
    private static void place(QemuCommand.BootFile file, Path target) throws IOException {
        try (Fd fd = Open.beneath(file.dir(), file.name(), Open.Access.READ, Open.Links.INSIDE)) {
            if ((fd.stat().mode() & 0004) != 0) {
                try {
                    fd.linkTo(target);
                    return;
                } catch (OsException e) {
                    // another file system than the state directory's: copied below
                }
            }
            Files.copy(fd.procPath(), target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));
        } catch (OsException e) {
            throw ApiError.of("PERMISSION_DENIED", "boot file " + file.dir().resolve(file.name()) + ": " + e.getMessage());
        }
    }
}

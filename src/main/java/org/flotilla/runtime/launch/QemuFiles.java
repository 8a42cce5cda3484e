package org.flotilla.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.flotilla.runtime.domain.HostFiles;

/**
 * The files a jailed VM may touch by name: only its run directory ({@code <state>/run/<vm-uuid>}, which its
 * jail sees as /vm) and what the daemon makes in it for the VM — each given to the VM's own uid, nothing
 * outside the state directory, and nothing the daemon did not make itself. Disk images, firmware and taps
 * are never opened by QEMU by name: the daemon hands it descriptors.
 */
public final class QemuFiles {
    private final Path runRoot;

    public QemuFiles(Path stateDir) { this.runRoot = stateDir.resolve("run"); }

    /** {@code <state>/run}: a directory per running VM. */
    public Path runRoot() { return runRoot; }

    public Path runDir(String vmUuid) { return runRoot.resolve(vmUuid); }

    public void prepareRunRoot() throws IOException { Files.createDirectories(runRoot); }

    /** A fresh run dir of the VM's uid, with the serial log QEMU writes to. */
    void prepareRunDir(Path runDir, int uid) throws IOException {
        prepareRunRoot();
        HostFiles.deleteTree(runDir);
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        give(runDir, uid);
        Path serial = QemuCommand.serialLog(runDir);
        Files.createFile(serial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        give(serial, uid);
    }

    /** Gives a file or directory the daemon made (a socket QEMU connects to, a vTPM's state) to the VM's uid. */
    public static void give(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }
}

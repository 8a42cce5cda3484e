package org.flotilla.host.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.flotilla.model.ApiError;

/**
 * What QEMU's user may open: its run directory, its disk images (and their backing chains), its UEFI
 * variable store — each readable and writable only by that user and root — and search permission on the
 * state directories above them.
 */
final class QemuFiles {
    private final Path stateDir;
    private final Path runRoot;
    private final QemuUser user;

    QemuFiles(Path stateDir, QemuUser user) {
        this.stateDir = stateDir;
        this.runRoot = stateDir.resolve("run");
        this.user = user;
    }

    /** {@code <state>/run}: a directory per running VM. */
    Path runRoot() { return runRoot; }

    Path runDir(String vmUuid) { return runRoot.resolve(vmUuid); }

    /** Makes the run root reachable by QEMU's user. */
    void prepareRunRoot() throws IOException {
        Files.createDirectories(runRoot);
        traversable(stateDir);
        traversable(runRoot);
    }

    /** A fresh run dir owned by QEMU's user, with the serial log it writes to. */
    void prepareRunDir(Path runDir) throws IOException {
        prepareRunRoot();
        HostFiles.deleteTree(runDir);
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(runDir, user.principal());
        Path serial = QemuCommand.serialLog(runDir);
        Files.createFile(serial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.setOwner(serial, user.principal());
    }

    /** A directory under the state directory for QEMU's own files (UEFI variable stores), reachable by it. */
    Path ownDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        traversable(dir);
        return dir;
    }

    /** A socket QEMU's user connects to. */
    void giveSocket(Path socket) throws IOException { Files.setOwner(socket, user.principal()); }

    /** A disk image (and the images it is built on) readable and writable only by QEMU's user and root. */
    void grantImage(Path image) {
        grant(image);
        // a qcow2 chain: the backing files are opened by QEMU too (read-only)
        Path cur = image;
        for (int i = 0; i < 64; i++) {
            String backing = backingOf(cur);
            if (backing == null) break;
            Path next = cur.resolveSibling(backing);
            if (!Files.isRegularFile(next)) break;
            grant(next);
            cur = next;
        }
    }

    /** One file readable and writable only by QEMU's user and root, and the directories above it searchable. */
    void grant(Path file) {
        try {
            Files.setOwner(file, user.principal());
            Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            Path stop = stateDir.toAbsolutePath();
            for (Path dir = file.toAbsolutePath().getParent(); dir != null && dir.startsWith(stop); dir = dir.getParent()) {
                traversable(dir);
            }
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot give QEMU access to " + file + ": " + e);
        }
    }

    /** The backing file named in a qcow2 header, or null. */
    private static String backingOf(Path image) {
        try (var ch = FileChannel.open(image)) {
            var hdr = ByteBuffer.allocate(20);
            if (ch.read(hdr, 0) < 20) return null;
            if (hdr.getInt(0) != 0x514649fb) return null;
            long off = hdr.getLong(8);
            int len = hdr.getInt(16);
            if (off == 0 || len <= 0 || len > 4096) return null;
            var name = ByteBuffer.allocate(len);
            ch.read(name, off);
            return new String(name.array(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Adds search (x) for others to one of our directories, so that QEMU's user can reach its files. */
    private static void traversable(Path dir) {
        try {
            var perms = new HashSet<>(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) Files.setPosixFilePermissions(dir, perms);
        } catch (IOException | UnsupportedOperationException ignored) { }
    }
}

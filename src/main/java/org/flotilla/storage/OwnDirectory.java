package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directory of a file SR: one only the daemon's user may write. qemu-img, run as root, is given the
 * paths of images there; if anyone else could rename files in the directory, an image checked a moment
 * before could be a link to a host file by the time the tool opens it.
 */
final class OwnDirectory {
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private OwnDirectory() {}

    /** Makes the directory itself, never its parents; true if it was made here, false if it was there already. */
    static boolean make(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            return true;
        } catch (FileAlreadyExistsException e) {
            require(dir);
            return false;
        } catch (NoSuchFileException e) {
            throw SmFailure.FILE_SR_CREATE.error("the parent of " + dir + " does not exist: SR.create makes only the SR's own directory");
        } catch (IOException e) {
            throw SmFailure.FILE_SR_CREATE.error("cannot make the SR directory " + dir + ": " + e);
        }
    }

    static void require(Path dir) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class);
        } catch (IOException e) {
            throw SmFailure.SR_UNAVAILABLE.error("the SR directory " + dir + " does not exist");
        }
        if (!a.isDirectory()) throw SmFailure.SR_UNAVAILABLE.error("the SR location " + dir + " is not a directory");
        String self = System.getProperty("user.name");
        if (!a.owner().getName().equals(self) || a.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
            throw SmFailure.SR_UNAVAILABLE.error("the SR directory " + dir + " must be owned by " + self
                    + " and writable by no one else (it is " + a.owner().getName() + "'s, " + PosixFilePermissions.toString(a.permissions()) + ")");
        }
    }
}

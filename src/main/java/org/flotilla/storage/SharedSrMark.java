package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The file a shared SR leaves in its directory, named by the SR's uuid, that each host looks for before it plugs the
 * SR. A host where the administrator's file system is not mounted sees an empty directory at the same path instead:
 * plugged there, the SR's scan would forget every disk the pool has on it, and new disks would be made where no other
 * host sees them. An NFS SR needs none: its directory on the server is named by its uuid, so finding it is the mark.
 */
final class SharedSrMark {
    private SharedSrMark() {}

    static Path of(Path dir, String srUuid) { return dir.resolve(".flotilla-sr-" + SrFiles.requirePlainName(srUuid)); }

    static void make(SrStore store, String srUuid) {
        if (!(store instanceof LocalDir(Path dir))) return;
        try {
            if (!Files.isRegularFile(of(dir, srUuid), LinkOption.NOFOLLOW_LINKS)) Files.createFile(of(dir, srUuid));
        } catch (IOException e) {
            throw SmFailure.FILE_SR_CREATE.error("cannot mark " + dir + " as the SR's directory: " + e);
        }
    }

    /** SR_UNAVAILABLE unless the directory holds the SR's mark (a plain file, never a link). */
    static void require(SrStore store, String srUuid) {
        if (!(store instanceof LocalDir(Path dir))) return;
        if (!Files.isRegularFile(of(dir, srUuid), LinkOption.NOFOLLOW_LINKS)) {
            throw SmFailure.SR_UNAVAILABLE.error(dir + " is not the shared SR " + srUuid + "'s directory (it lacks " + of(dir, srUuid).getFileName()
                    + "): is the shared file system mounted there on this host?");
        }
    }

    static void remove(SrStore store, String srUuid) {
        if (store instanceof LocalDir(Path dir)) ImageFiles.deleteQuietly(of(dir, srUuid));
    }
}

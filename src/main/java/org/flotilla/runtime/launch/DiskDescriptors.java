package org.flotilla.runtime.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.model.ApiError;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;
import org.flotilla.os.OsException;
import org.flotilla.storage.LocalDir;

/**
 * The descriptors of a disk's layers, as the daemon opens them for QEMU: each beneath its image's directory
 * without following any link, a regular file or nothing. The layer the guest writes gets a read-write
 * descriptor and a read-only twin (QEMU reopens an image read-only when it becomes a backing file, and takes
 * from its fdset the descriptor of the access it asks for); every other layer only a read-only one.
 * <p>
 * They bypass the page cache (O_DIRECT) wherever the file system allows it, as a production disk does: the guest
 * caches for itself; a migration's destination on a shared directory must not read pages its host cached before
 * the source wrote them; and a disk copied in (a Storage XenMotion's mirror) would otherwise fill the cache charged to
 * the VM's memory cgroup and stall on its reclaim. QEMU takes from an fdset only a descriptor whose O_DIRECT matches
 * the node's {@code cache.direct}, so the nodes are told which they got ({@link Opened#direct()}).
 */
public final class DiskDescriptors {
    private DiskDescriptors() {}

    /** Per layer, top first, the descriptors for its fdset, and whether they bypass the page cache. */
    public record Opened(List<List<Fd>> layers, boolean direct) {
        public void close() { closeAll(layers); }
    }

    /** The disk's layers (none for a disk QEMU reaches over the network); on failure none stays open. */
    public static Opened open(QemuCommand.Disk d) {
        if (!(d.image().dir() instanceof LocalDir(Path dir))) return new Opened(List.of(), false);
        var files = d.image().layers().stream().map(l -> l.file()).toList();
        try {
            return open(dir, files, !d.readOnly());
        } catch (OsException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot open the image of disk " + d.userdevice() + ": " + e.getMessage());
        }
    }

    /**
     * {@code files} (top first) beneath {@code dir}, the top one read-write and read-only if {@code writableTop}:
     * with O_DIRECT, or through the page cache where the file system refuses it.
     */
    public static Opened open(Path dir, List<String> files, boolean writableTop) throws OsException {
        try {
            return new Opened(open(dir, files, writableTop, Open.Io.DIRECT), true);
        } catch (OsException e) {
            if (!Open.directRefused(e)) throw e;
            return new Opened(open(dir, files, writableTop, Open.Io.CACHED), false);
        }
    }

    private static List<List<Fd>> open(Path dir, List<String> files, boolean writableTop, Open.Io io) throws OsException {
        var out = new ArrayList<List<Fd>>();
        try {
            for (int i = 0; i < files.size(); i++) {
                var fds = new ArrayList<Fd>();
                out.add(fds);
                if (i == 0 && writableTop) fds.add(Open.beneath(dir, files.get(i), Open.Access.READ_WRITE, Open.Links.NONE, io));
                fds.add(Open.beneath(dir, files.get(i), Open.Access.READ, Open.Links.NONE, io));
            }
            return out;
        } catch (OsException | RuntimeException e) {
            closeAll(out);
            throw e;
        }
    }

    public static void closeAll(List<List<Fd>> fds) { for (var l : fds) for (Fd f : l) f.close(); }
}

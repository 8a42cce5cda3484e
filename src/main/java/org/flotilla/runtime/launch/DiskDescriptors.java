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
 */
public final class DiskDescriptors {
    private DiskDescriptors() {}

    /** Per layer, top first, the descriptors for its fdset; on failure none stays open. */
    public static List<List<Fd>> open(QemuCommand.Disk d) {
        var out = new ArrayList<List<Fd>>();
        if (!(d.image().dir() instanceof LocalDir(Path dir))) return out;
        try {
            var layers = d.image().layers();
            for (int i = 0; i < layers.size(); i++) {
                String file = layers.get(i).file();
                var fds = new ArrayList<Fd>();
                out.add(fds);
                if (i == 0 && !d.readOnly()) fds.add(Open.beneath(dir, file, Open.Access.READ_WRITE, Open.Links.NONE));
                fds.add(Open.beneath(dir, file, Open.Access.READ, Open.Links.NONE));
            }
            return out;
        } catch (OsException e) {
            closeAll(out);
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot open the image of disk " + d.userdevice() + ": " + e.getMessage());
        }
    }

    public static void closeAll(List<List<Fd>> fds) { for (var l : fds) for (Fd f : l) f.close(); }
}

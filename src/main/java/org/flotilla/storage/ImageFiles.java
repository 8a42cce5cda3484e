package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.flotilla.model.ApiError;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;

/** The file steps of the crash-safety scheme described on {@link Storage}: make under a temporary name, then rename. */
final class ImageFiles {
    private ImageFiles() {}

    /** Makes an image under the temporary name it is given. */
    interface ImageMaker { void make(String tmp); }

    /** Makes {@code <uuid>.qcow2} under a temporary name, then renames it into place; returns its name; nothing is left if it fails. */
    static String make(SrStore dir, String uuid, ImageMaker maker) {
        String tmp = SrDriver.temporary("new");
        String image = uuid + LocalFileSr.SUFFIX;
        try {
            maker.make(tmp);
            dir.rename(tmp, image);
            return image;
        } catch (IOException e) {
            dir.deleteQuietly(tmp);
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot make " + dir.describe(image) + ": " + e);
        } catch (RuntimeException e) {
            dir.deleteQuietly(tmp);
            throw e;
        }
    }

    /** An image the storage has just made, as its header describes it (Qcow2Header: never qemu-img info). */
    static SrDriver.Found describe(SrStore dir, String image) {
        SrDriver.Found f;
        try {
            f = LocalFileSr.inspect(dir, image);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + dir.describe(image) + ": " + e);
        }
        if (f.problem() != null) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", dir.describe(image) + ": " + f.problem());
        return f;
    }

    /**
     * Runs {@code use} on a copy of an ISO's bytes in {@code scratch}, a directory only the daemon writes. The ISO is
     * read through a descriptor opened beneath its SR without following links or waiting on a FIFO (and only if
     * it is a regular file); qemu-img, which opens files by name, is given the
     * copy, so an ISO library others can write to cannot swap a link to a host file in under it.
     */
    static void withPrivateCopy(Storage.Attachment iso, Path scratch, Consumer<Storage.Attachment> use) {
        LocalDir isoDir = (LocalDir) iso.store();
        var dir = new LocalDir(scratch);
        String copy = SrDriver.temporary("copy");
        try {
            try (Fd fd = Open.beneath(isoDir.path(), iso.layers().getFirst().file(), Open.Access.READ, Open.Links.NONE);
                 var in = FileChannel.open(fd.procPath(), StandardOpenOption.READ);
                 var out = FileChannel.open(dir.file(copy), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long size = in.size();
                for (long at = 0; at < size; ) {
                    long n = in.transferTo(at, size - at, out);
                    if (n <= 0) break;
                    at += n;
                }
            } catch (IOException e) {
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + iso.describe() + ": " + e);
            }
            use.accept(new Storage.Attachment(dir, List.of(new Storage.Layer(copy, iso.format())), true));
        } finally {
            dir.deleteQuietly(copy);
        }
    }

    /**
     * Removes the leftovers of images that were being made or removed when the process stopped; not the temporaries an
     * import running now holds ({@link HeldTemporaries}).
     */
    static void removeTemporaries(SrStore dir) {
        try {
            for (String name : dir.names()) if (SrDriver.isTemporary(name) && !HeldTemporaries.held(name)) dir.deleteQuietly(name);
        } catch (java.nio.file.NoSuchFileException gone) {
            // nothing to remove
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of the daemon's own (not an SR's), removed if it is there. */
    static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            System.getLogger(Storage.class.getName()).log(System.Logger.Level.WARNING, "cannot remove " + f + ": " + e);
        }
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.flotilla.model.ApiError;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;

/** The file steps of the crash-safety scheme described on {@link Storage}: make under a temporary name, then rename. */
final class ImageFiles {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private ImageFiles() {}

    interface ImageMaker { void make(Path tmp); }

    /** Makes {@code <uuid>.qcow2} under a temporary name, then renames it into place; nothing is left if it fails. */
    static Path make(Path dir, String uuid, ImageMaker maker) {
        Path tmp = SrDriver.temporary(dir, "new");
        Path image = dir.resolve(uuid + LocalFileSr.SUFFIX);
        try {
            maker.make(tmp);
            Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
            return image;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot make " + image + ": " + e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** An image the storage has just made, as its header describes it (Qcow2Header: never qemu-img info). */
    static SrDriver.Found describe(Path image) {
        SrDriver.Found f;
        try {
            f = LocalFileSr.inspect(image.getParent(), image.getFileName().toString());
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + image + ": " + e);
        }
        if (f.problem() != null) throw ApiError.of("SR_BACKEND_FAILURE", "1", "", image + ": " + f.problem());
        return f;
    }

    /**
     * Runs {@code use} on a copy of an ISO's bytes in {@code dir}, a directory only the daemon writes. The ISO is
     * read through a descriptor opened beneath its SR without following links or waiting on a FIFO (and only if
     * it is a regular file); qemu-img, which opens files by name, is given the
     * copy, so an ISO library others can write to cannot swap a link to a host file in under it.
     */
    static void withPrivateCopy(Storage.Attachment iso, Path dir, Consumer<Storage.Attachment> use) {
        Path copy = SrDriver.temporary(dir, "copy");
        try {
            try (Fd fd = Open.beneath(iso.srDir(), iso.layers().getFirst().file(), Open.Access.READ, Open.Links.NONE);
                 var in = FileChannel.open(fd.procPath(), StandardOpenOption.READ);
                 var out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long size = in.size();
                for (long at = 0; at < size; ) {
                    long n = in.transferTo(at, size - at, out);
                    if (n <= 0) break;
                    at += n;
                }
            } catch (IOException e) {
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + iso.image() + ": " + e);
            }
            use.accept(new Storage.Attachment(dir, List.of(new Storage.Layer(copy.getFileName().toString(), iso.format())), true));
        } finally {
            deleteQuietly(copy);
        }
    }

    /** Removes the leftovers of images that were being made or removed when the process stopped. */
    static void removeTemporaries(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) if (SrDriver.isTemporary(f.getFileName().toString())) deleteQuietly(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + f + ": " + e);
        }
    }

    /** The file's size, or 0 if it cannot be read: for physical_utilisation, which a scan corrects. */
    static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }
}

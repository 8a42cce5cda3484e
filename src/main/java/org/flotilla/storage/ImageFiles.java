package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.flotilla.model.ApiError;

/** The file steps of the crash-safety scheme described on {@link Storage}: make under a temporary name, then rename. */
final class ImageFiles {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    private ImageFiles() {}

    interface ImageMaker { void make(Path tmp); }

    /** Makes {@code <uuid>.qcow2} under a temporary name, then renames it into place; nothing is left if it fails. */
    static Path make(Path dir, String uuid, ImageMaker maker) {
        Path tmp = SrDriver.temporary(dir, uuid, "new");
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

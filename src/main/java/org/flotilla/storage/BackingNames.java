package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The images of an SR's directory that some image there names as its backing file, read from the headers. The
 * records say which images a VDI is built on; before an image is unlinked the headers are asked too, so that
 * records damaged by anything (a bug, an old journal, a client of an earlier version) cannot cost another disk
 * its data: an image that is still someone's backing file stays.
 */
final class BackingNames {
    private BackingNames() {}

    /** The locations named as a backing file by any image in the directory, the SR's own or not. */
    static Set<String> in(Path dir) {
        var named = new HashSet<String>();
        try (Stream<Path> files = Files.list(dir)) {
            for (String name : files.map(f -> f.getFileName().toString()).toList()) {
                if (!LocalFileSr.isImageName(name) || !SrFiles.entry(dir, name).isRegular()) continue;
                try {
                    String backing = SrFiles.header(dir, name).backingFile();
                    if (backing != null && LocalFileSr.isImageName(backing)) named.add(LocalFileSr.locationOf(backing));
                } catch (Qcow2Header.Malformed | IOException unreadable) {
                    // names nothing the daemon would open
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return named;
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The images of an SR's directory that some image there names as its backing file, read from the headers. The
 * records say which images a VDI is built on; before an image is unlinked the headers are asked too, so that
 * records damaged by anything (a bug, an old journal, a client of an earlier version) cannot cost another disk
 * its data: an image that is still someone's backing file stays.
 */
final class BackingNames {
    private BackingNames() {}

    /** The locations named as a backing file by any image in the directory, the SR's own or not. */
    static Set<String> in(SrStore dir) { return counts(dir).keySet(); }

    /** The same, each with how many images name it: a base copy that two images are built on is merged with neither. */
    static Map<String, Integer> counts(SrStore dir) {
        var named = new HashMap<String, Integer>();
        try {
            for (String name : dir.names()) {
                if (!LocalFileSr.isImageName(name) || !dir.entry(name).isRegular()) continue;
                try {
                    String backing = dir.header(name).backingFile();
                    if (backing != null && LocalFileSr.isImageName(backing)) named.merge(LocalFileSr.locationOf(backing), 1, Integer::sum);
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

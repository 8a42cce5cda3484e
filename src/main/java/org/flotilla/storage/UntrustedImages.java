package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Disk images from clients (an upload, the disks of a package), read by qemu-img only with their driver pinned and no
 * backing, so that the format is never probed and no other file is ever opened; a qcow2 image is first checked by the
 * daemon to be a whole disk naming no other file (its header here, then its tables with
 * {@link org.flotilla.storage.qcow2.Qcow2Tables}).
 */
final class UntrustedImages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UntrustedImages() {}

    /** Why the image is not read; the message says so. */
    static final class Refused extends Exception {
        Refused(String message) { super(message, null, false, false); }
    }

    /** A qcow2 image's header, refused when malformed, when it names a backing file, or for what {@link Qcow2Header#refusal} says. */
    static Qcow2Header qcow2Header(FileChannel ch) throws IOException, Refused {
        Qcow2Header h;
        try {
            h = Qcow2Header.read(ch);
        } catch (Qcow2Header.Malformed e) {
            throw new Refused(e.getMessage());
        }
        if (h.backingFile() != null) throw new Refused("it names a backing file (" + h.backingFile() + "); only a whole disk is imported");
        if (h.refusal() != null) throw new Refused(h.refusal());
        return h;
    }

    /** The image as qemu-img reads it: {@code driver} pinned over {@code file}, with no backing. */
    static ObjectNode pinned(String driver, ObjectNode file) {
        ObjectNode n = JSON.createObjectNode().put("driver", driver);
        n.set("file", file);
        n.set("backing", NullNode.getInstance());
        return n;
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.flotilla.os.Fd;
import org.flotilla.os.Open;

/**
 * The files directly inside an SR's directory, looked at without following symbolic links: a link is never an
 * image or an ISO, whatever it points to, and a name with a '/' (or '.' or '..') never leaves the directory
 * because it is refused before any lookup.
 */
final class SrFiles {
    private SrFiles() {}

    /** What a name in the directory is, with the size of a regular file. */
    record Entry(String name, Kind kind, long size) {
        enum Kind { ABSENT, REGULAR, SYMLINK, OTHER }

        boolean isRegular() { return kind == Kind.REGULAR; }

        /** Why the entry is not a file the SR can use, or null for a regular file. */
        String problem() {
            return switch (kind) {
                case REGULAR -> null;
                case ABSENT -> "it does not exist";
                case SYMLINK -> "it is a symbolic link, never an image";
                case OTHER -> "it is not a regular file";
            };
        }
    }

    /** True for a name that can only mean a file directly inside the directory. */
    static boolean isPlainName(String name) {
        return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
    }

    static String requirePlainName(String name) {
        if (!isPlainName(name)) throw new IllegalArgumentException("not a plain file name: " + name);
        return name;
    }

    static Entry entry(Path dir, String name) throws IOException {
        try {
            var a = Files.readAttributes(dir.resolve(requirePlainName(name)), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Entry.Kind kind = a.isSymbolicLink() ? Entry.Kind.SYMLINK : a.isRegularFile() ? Entry.Kind.REGULAR : Entry.Kind.OTHER;
            return new Entry(name, kind, a.isRegularFile() ? a.size() : 0);
        } catch (NoSuchFileException e) {
            return new Entry(name, Entry.Kind.ABSENT, 0);
        }
    }

    /**
     * Reads the qcow2 header of a regular file in the directory, opened beneath it without following any link
     * and without waiting on a FIFO, so that whatever was swapped in after {@link #entry} is refused, not read.
     */
    static Qcow2Header header(Path dir, String name) throws IOException, Qcow2Header.Malformed {
        try (Fd fd = Open.beneath(dir, requirePlainName(name), Open.Access.READ, Open.Links.NONE);
             SeekableByteChannel ch = Files.newByteChannel(fd.procPath(), StandardOpenOption.READ)) {
            return Qcow2Header.read(ch);
        }
    }
}

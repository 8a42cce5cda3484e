package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/** An SR's directory on this host's own file system (a file or ISO SR, or a shared one the administrator mounted). */
public record LocalDir(Path path) implements SrStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override public String where() { return path.toString(); }

    public Path file(String name) { return path.resolve(SrFiles.requirePlainName(name)); }

    @Override public List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(path)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Puts {@code from} in place of {@code to} so that a crash leaves one or the other whole: {@code from} forced to
     * disk, renamed over {@code to}, and the directory forced so that the rename lasts.
     */
    public void replaceDurably(String from, String to) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file(from), java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        rename(from, to);
        try (var d = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override public SrFiles.Entry entry(String name) throws IOException { return SrFiles.entry(path, name); }

    @Override public Qcow2Header header(String name) throws IOException, Qcow2Header.Malformed { return SrFiles.header(path, name); }

    @Override public void rename(String from, String to) throws IOException {
        Files.move(file(from), file(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override public void link(String existing, String name) throws IOException { Files.createLink(file(name), file(existing)); }

    @Override public void delete(String name) throws IOException { Files.deleteIfExists(file(name)); }

    @Override public void restrictToOwner(String name) throws IOException {
        Files.setPosixFilePermissions(file(name), PosixFilePermissions.fromString("rw-------"));
    }

    @Override public Space space() throws IOException {
        FileStore fs = Files.getFileStore(path);
        return new Space(fs.getTotalSpace(), fs.getUsableSpace());
    }

    @Override public void removeIfEmpty() throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> left = Files.list(path)) {
            if (left.findAny().isEmpty()) Files.delete(path);
        }
    }

    @Override public ObjectNode fileNode(String name) {
        return JSON.createObjectNode().put("driver", "file").put("filename", file(name).toString());
    }

    @Override public String target(String name) { return file(name).toString(); }
}

package org.flotilla.db.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a state directory, named by generation so that which file supersedes which is read
 * off the names after a crash at any point:
 * <ul>
 *   <li>{@code snapshot-<G>.snap}: every persistent object as of generation G
 *   <li>{@code journal-<G>.log}: the transactions after generation G, in order
 *   <li>{@code *.tmp}: a file being written; never trusted, removed at open
 *   <li>{@code lock}: held while a daemon has the directory open
 * </ul>
 */
public final class StateDirectory {
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final Pattern JOURNAL = Pattern.compile("journal-(\\d{20})\\.log");
    public static final String TMP_SUFFIX = ".tmp";

    private final Path dir;

    public StateDirectory(Path dir) { this.dir = dir; }

    public Path path() { return dir; }

    /** A file of the directory and the generation in its name. */
    public record Generational(long generation, Path path) {}

    public Path snapshotPath(long generation) { return dir.resolve("snapshot-%020d.snap".formatted(generation)); }

    public Path journalPath(long generation) { return dir.resolve("journal-%020d.log".formatted(generation)); }

    public static Path tmpOf(Path p) { return p.resolveSibling(p.getFileName() + TMP_SUFFIX); }

    /** Oldest first. */
    public List<Generational> snapshots() throws IOException { return list(SNAPSHOT); }

    /** Oldest first. */
    public List<Generational> journals() throws IOException { return list(JOURNAL); }

    private List<Generational> list(Pattern p) throws IOException {
        var out = new ArrayList<Generational>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) out.add(new Generational(Long.parseLong(m.group(1)), f));
            }
        }
        out.sort(Comparator.comparingLong(Generational::generation));
        return out;
    }

    /** Leftovers of a write a crash interrupted: never renamed into place, so never part of the state. */
    public List<Path> deleteTemporaries() throws IOException {
        var deleted = new ArrayList<Path>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(TMP_SUFFIX)) {
                    Files.deleteIfExists(f);
                    deleted.add(f);
                }
            }
        }
        return deleted;
    }

    /** Renames atomically and makes the rename itself durable. */
    public void publish(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        sync();
    }

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    public void sync() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}

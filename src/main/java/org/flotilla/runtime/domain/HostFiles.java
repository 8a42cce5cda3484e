package org.flotilla.runtime.domain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;

/** The few file and process chores of the runtime, each with the failure behaviour it needs. */
public final class HostFiles {
    private HostFiles() {}

    /** A number kept in a file; 0 if the file is missing or holds none. */
    public static long readLong(Path f) {
        try {
            return Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Removes a directory and all below it (a run dir); what cannot be removed stays. */
    public static void deleteTree(Path dir) {
        // a process ending beside us (swtpm removing its socket) can take a file from under the walk: walk again
        for (int attempt = 0; attempt < 3 && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | java.io.UncheckedIOException ignored) { }
        }
    }

    /** A process's command line, arguments joined by spaces; empty if it is gone. */
    public static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** A process's real uid, from /proc; -1 if it is gone. */
    public static long uidOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException ignored) {
            // gone, or not readable
        }
        return -1;
    }

    /** The root directory a process sees (its chroot), as this process names it; null if it is gone. */
    public static Path rootOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/root"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The end of a log: why a process did not start. */
    public static String tail(Path log) {
        try {
            String s = Files.readString(log).strip();
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "";
        }
    }
}

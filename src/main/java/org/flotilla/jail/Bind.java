package org.flotilla.jail;

import java.nio.file.Path;

/**
 * A host path mounted into a jail at {@code target} (relative to the jail's root): read-only, writable
 * (never executable, never set-id), or a device node.
 */
public record Bind(Path source, String target, Kind kind) {
    public enum Kind {
        READ_ONLY("ro,nosuid,nodev"), WRITABLE("nosuid,nodev,noexec"), DEVICE("nosuid,noexec");

        final String options;

        Kind(String options) { this.options = options; }
    }

    public Bind {
        if (target.startsWith("/") || target.contains("..")) throw new IllegalArgumentException("bad jail mount point " + target);
    }

    static Bind readOnly(Path source, String target) { return new Bind(source, target, Kind.READ_ONLY); }

    public static Bind writable(Path source, Path inJail) { return new Bind(source, relative(inJail), Kind.WRITABLE); }

    private static String relative(Path inJail) { return Path.of("/").relativize(inJail).toString(); }
}

package org.flotilla.storage.vhd;

/** A VHD stream refused, and why: what the import's task fails with. */
public final class BadVhd extends Exception {
    public enum Kind {
        /** Not a VHD this reads, or a broken one (a cookie, a checksum, a table). */
        MALFORMED,
        /** It holds data beyond the disk it is written to. */
        TOO_LARGE,
        /** It ended before its last footer. */
        TRUNCATED
    }

    private final Kind kind;

    BadVhd(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    static BadVhd malformed(String message) { return new BadVhd(Kind.MALFORMED, message); }
}

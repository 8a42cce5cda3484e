package org.flotilla.storage;

/** A name read from a file or given by a client, made safe to put in an error message: quoted, escaped, bounded. */
final class Quoted {
    private static final int MAX = 256;

    private Quoted() {}

    static String of(String s) {
        var b = new StringBuilder("'");
        s.codePoints().limit(MAX).forEach(c -> {
            if (c == '\'' || c == '\\') b.append('\\').appendCodePoint(c);
            else if (Character.isISOControl(c) || !Character.isDefined(c)) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        if (s.codePointCount(0, s.length()) > MAX) b.append("...");
        return b.append('\'').toString();
    }
}

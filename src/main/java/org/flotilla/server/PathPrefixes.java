package org.flotilla.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Values by path prefix, matched as XAPI's HTTP server matches handlers: plain string prefix, longest first. */
final class PathPrefixes<T> {
    private record Entry<T>(String prefix, T value) {}

    private volatile List<Entry<T>> entries = List.of(); // longest prefix first

    /** Adds a value for a prefix; may be called while requests are served. */
    synchronized void add(String prefix, T value) {
        if (!prefix.startsWith("/")) throw new IllegalArgumentException("path prefix must start with /: " + prefix);
        if (entries.stream().anyMatch(e -> e.prefix().equals(prefix))) {
            throw new IllegalStateException("something is already registered for " + prefix);
        }
        var next = new ArrayList<>(entries);
        next.add(new Entry<>(prefix, value));
        next.sort(Comparator.comparingInt((Entry<T> e) -> e.prefix().length()).reversed());
        entries = List.copyOf(next);
    }

    /** The values whose prefix starts {@code path}, longest prefix first. */
    List<T> matching(String path) {
        if (path == null) return List.of();
        return entries.stream().filter(e -> path.startsWith(e.prefix())).map(Entry::value).toList();
    }

    List<T> all() { return entries.stream().map(Entry::value).toList(); }
}

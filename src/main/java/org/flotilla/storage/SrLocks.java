package org.flotilla.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** One lock per SR: what changes an SR's images and records runs under it, so two changes never interleave on disk. */
final class SrLocks {
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    <T> T locked(String srRef, Supplier<T> body) {
        ReentrantLock l = locks.computeIfAbsent(srRef, k -> new ReentrantLock());
        l.lock();
        try { return body.get(); } finally { l.unlock(); }
    }

    void locked(String srRef, Runnable body) { locked(srRef, () -> { body.run(); return null; }); }
}

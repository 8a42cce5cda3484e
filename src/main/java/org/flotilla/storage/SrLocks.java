package org.flotilla.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;

/** One lock per SR: what changes an SR's images and records runs under it, so two changes never interleave on disk. */
final class SrLocks {
    private final Map<Ref<SR>, ReentrantLock> locks = new ConcurrentHashMap<>();

    <T> T locked(Ref<SR> sr, Supplier<T> body) {
        ReentrantLock l = locks.computeIfAbsent(sr, k -> new ReentrantLock());
        l.lock();
        try { return body.get(); } finally { l.unlock(); }
    }

    void locked(Ref<SR> sr, Runnable body) { locked(sr, () -> { body.run(); return null; }); }
}

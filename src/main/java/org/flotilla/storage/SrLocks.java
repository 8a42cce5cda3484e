package org.flotilla.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;

/**
 * One lock per SR: what changes an SR's images and records runs under it, so two changes never interleave on disk. And
 * one chain lock per SR, which attaching a VDI for a VM takes shared and merging two images of a chain takes alone
 * ({@link ChainMerges}): a VM starting never opens a chain half rewritten, without waiting for the SR's other changes.
 */
final class SrLocks {
    private final Map<Ref<SR>, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<Ref<SR>, ReentrantReadWriteLock> chains = new ConcurrentHashMap<>();

    <T> T locked(Ref<SR> sr, Supplier<T> body) { return holding(locks.computeIfAbsent(sr, k -> new ReentrantLock()), body); }

    void locked(Ref<SR> sr, Runnable body) { locked(sr, () -> { body.run(); return null; }); }

    /** {@code body} while no chain of the SR is being rewritten. */
    <T> T attaching(Ref<SR> sr, Supplier<T> body) { return holding(chainLock(sr).readLock(), body); }

    /** {@code body} while nothing attaches a chain of the SR. */
    <T> T rewritingChains(Ref<SR> sr, Supplier<T> body) { return holding(chainLock(sr).writeLock(), body); }

    private ReentrantReadWriteLock chainLock(Ref<SR> sr) { return chains.computeIfAbsent(sr, k -> new ReentrantReadWriteLock()); }

    private static <T> T holding(Lock l, Supplier<T> body) {
        l.lock();
        try { return body.get(); } finally { l.unlock(); }
    }
}

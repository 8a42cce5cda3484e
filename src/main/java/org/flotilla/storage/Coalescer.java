package org.flotilla.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;

/**
 * The background collector of an SR's chains, as XAPI's SM garbage collector: after a VDI is destroyed, an SR scanned,
 * at every daemon start, and every minute (for pairs that waited for a VM to stop), it merges each base copy left with
 * a single child into that child ({@link ChainMerges}), one SR at a time on a thread of its own, until no pair is left
 * that can be merged now. A start also finishes or rolls
 * back a merge a killed daemon left half done. It works on the SRs of images plugged here whose chains this host
 * writes: a local SR, and a shared one (a shared directory, NFS) when this host is the pool's coordinator and holds
 * the SR's lease ({@link CoalesceClaim}), as XAPI's SM collects a shared SR on the pool master alone. There it merges
 * offline through the SR's own access path, and online with the QEMU of the VM, here or on the member it runs on
 * ({@link StreamElsewhere}).
 */
public final class Coalescer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Coalescer.class.getName());
    /** A bound on one pass: each merge removes an image, so a pass ends long before. */
    private static final int MAX_MERGES = 1024;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);
    /** How often every SR gets a pass anyway: {@code flotilla.coalesce-interval-ms}, a minute unless set (tests). */
    private final long intervalMillis = Long.getLong("flotilla.coalesce-interval-ms", 60_000);

    private final Database db;
    private final SrDrivers drivers;
    private final SrLocks locks;
    private final SrDirectories dirs;
    private final ChainMerges merges;
    private final CoalesceClaim claims;
    private final Set<Ref<SR>> pending = new HashSet<>();
    private final Set<Ref<SR>> working = new HashSet<>();
    private boolean started;
    private boolean closed;

    Coalescer(Database db, SrDrivers drivers, SrLocks locks, SrDirectories dirs, ChainMerges merges, CoalesceClaim claims) {
        this.db = db;
        this.claims = claims;
        this.drivers = drivers;
        this.locks = locks;
        this.dirs = dirs;
        this.merges = merges;
    }

    /** Starts collecting, with a pass over every SR (what resumes the merges a killed daemon left), and one every interval. */
    public void start() {
        synchronized (this) {
            if (closed) return;
            started = true;
        }
        triggerAll();
        Thread.ofVirtual().name("coalesce-interval").start(() -> {
            while (awaitInterval()) triggerAll();
        });
    }

    /** Asks for a pass over every SR: at each interval, and when this host becomes the coordinator (shared SRs move here). */
    public void triggerAll() { for (DbObject<SR> sr : db.all(SR.CLASS)) trigger(sr.self(SR.CLASS)); }

    /** Waits an interval; false once closed. */
    private synchronized boolean awaitInterval() {
        long deadline = System.nanoTime() + intervalMillis * 1_000_000;
        try {
            for (long left = intervalMillis; !closed && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) wait(Math.max(1, left));
        } catch (InterruptedException e) {
            return false;
        }
        return !closed;
    }

    /** Asks for a pass over the SR's chains soon; nothing before {@link #start} or after {@link #close}. */
    public synchronized void trigger(Ref<SR> sr) {
        if (!started || closed) return;
        pending.add(sr);
        if (working.add(sr)) Thread.ofVirtual().name("coalesce-" + sr.value()).start(() -> work(sr));
    }

    /** Waits until no pass is asked for or running, at most {@code timeout}; whether it is so. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() || !working.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** No pass starts any more; a merge under way is let finish (bounded), so that nothing writes the SR after. */
    @Override
    public synchronized void close() {
        closed = true;
        pending.clear();
        notifyAll();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            while (!working.isEmpty() && System.nanoTime() < deadline) wait(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void setStepHook(Consumer<ChainMerges.Step> hook) { merges.setStepHook(hook); }

    private void work(Ref<SR> sr) {
        try {
            while (true) {
                synchronized (this) {
                    if (closed || !pending.remove(sr)) return;
                }
                try {
                    pass(sr);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "collecting the chains of SR " + sr.value() + ": " + e);
                }
            }
        } finally {
            synchronized (this) {
                working.remove(sr);
                notifyAll();
            }
        }
    }

    /**
     * Merges, one pair at a time under the SR's lock, until none is left that can be merged now. A shared SR only on
     * the coordinator, under the SR's lease; a kill (an Error here, in tests) leaves the lease to lapse, as a real one does.
     */
    private void pass(Ref<SR> sr) {
        DbObject<SR> s = db.get(sr);
        if (s == null || !s.get(SR.shared)) {
            merges(sr, () -> false);
            return;
        }
        // no base copy, nothing to merge: no lease taken, so the SR's record (and clients' events) stay still
        if (!claims.coordinatorHere() || db.referring(VDI.SR, sr).stream().allMatch(v -> v.get(VDI.managed))) return;
        CoalesceClaim.Lease lease = claims.acquire(sr).orElse(null);
        if (lease == null) {
            LOG.log(System.Logger.Level.INFO, "SR " + sr.value() + ": another host's collector holds it; the next pass tries again");
            return;
        }
        boolean killed = false;
        try {
            merges(sr, () -> lease.lost() || !claims.coordinatorHere());
        } catch (Error e) {
            killed = true;
            throw e;
        } finally {
            lease.stop();
            Thread.interrupted(); // the renewer's, had it stopped a merge: not for the next pass to meet
            if (!killed) lease.close();
        }
    }

    private void merges(Ref<SR> sr, BooleanSupplier stop) {
        var skip = new ArrayList<String>();
        for (int i = 0; i < MAX_MERGES; i++) {
            synchronized (this) {
                if (closed) return;
            }
            if (stop.getAsBoolean() || !locks.locked(sr, () -> mergeOne(sr, skip))) return;
        }
    }

    /** One merge, or a begun one taken up again; false when there is none to do. */
    private boolean mergeOne(Ref<SR> sr, List<String> skip) {
        DbObject<SR> s = db.get(sr);
        if (s == null) return false;
        SrDriver d = drivers.of(s);
        if (!d.managesDisks() || d.extents()) return false;
        SrStore dir = dirs.pluggedHere(sr).orElse(null);
        if (!(dir instanceof LocalDir || dir instanceof NfsDir)) return false;
        merges.recover(sr, d, dir);
        ChainMerges.Pair p = merges.begunOnline(sr).stream().filter(b -> !skip.contains(b.base().get(VDI.location))).findFirst().orElse(null);
        boolean begun = p != null;
        if (p == null) p = merges.next(sr, d, dir, skip);
        if (p == null) return false;
        ChainMerges.Pair pair = p;
        long t0 = System.nanoTime();
        long size = dir.sizeOf(d.fileName((pair.online() ? pair.base() : pair.child()).get(VDI.location)));
        try {
            if (begun) merges.resume(sr, d, dir, pair);
            else if (pair.online()) merges.merge(sr, d, dir, pair); // C is the running VM's: nothing else attaches it meanwhile
            else locks.rewritingChains(sr, () -> { merges.merge(sr, d, dir, pair); return null; });
            LOG.log(System.Logger.Level.INFO, String.format("SR %s: %s merged into %s %s, %d MiB copied, in %d ms", sr.value(),
                    pair.base().uuid(), pair.child().uuid(), pair.online() ? "online" : "offline", size >> 20, (System.nanoTime() - t0) / 1_000_000));
        } catch (ApiError e) {
            skip.add(pair.base().get(VDI.location));
            LOG.log(System.Logger.Level.WARNING, "SR " + sr.value() + ": merging " + pair.base().uuid() + " into " + pair.child().uuid() + " failed: " + e);
        }
        return true;
    }
}

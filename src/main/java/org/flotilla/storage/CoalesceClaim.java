package org.flotilla.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;

/**
 * Which host collects a shared SR's chains: the pool's coordinator, as XAPI's SM runs its garbage collector on the
 * pool master for a shared SR, and only one host at a time. Every host reaches a shared SR and runs a collector, so
 * the coordinator alone is not enough: one that lost the role may still be half through a merge when the next one
 * starts. So the collector holds a lease in the SR's sm_config ({@value #BY}: a host's reference, {@value #UNTIL}: when it
 * lapses, in ms since the epoch), taken in a transaction that the pool database applies only if the keys are still as
 * read (its compare-and-set), renewed while the collector works and given up when its pass ends. A lease another host
 * holds is respected until it lapses: that host finishes its merge, or was killed and the lease runs out. A lease this
 * host holds is taken again at once: a host runs one daemon, and a restarted one takes up what the killed one left.
 * Clocks must agree to well within a lease (a minute by default, {@code flotilla.coalesce-lease-ms}).
 */
final class CoalesceClaim {
    static final String BY = "coalesce-by";
    static final String UNTIL = "coalesce-until";
    private static final System.Logger LOG = System.getLogger(CoalesceClaim.class.getName());

    private final Database db;
    private final Ref<Host> host;
    private final long leaseMillis = Long.getLong("flotilla.coalesce-lease-ms", 60_000);

    CoalesceClaim(Database db, Ref<Host> host) {
        this.db = db;
        this.host = host;
    }

    /** Whether this host is the pool's coordinator, which alone collects shared SRs. */
    boolean coordinatorHere() {
        return db.all(Pool.CLASS).stream().map(p -> p.get(Pool.master)).filter(db::exists).findFirst().map(host::equals).orElse(true);
    }

    /** A lease held on an SR; {@link #lost} once another host took it (this one's lapsed meanwhile). */
    final class Lease implements AutoCloseable {
        private final Ref<SR> sr;
        private final Thread worker;
        private final Thread renewer;
        private volatile boolean lost;
        private volatile boolean done;

        private Lease(Ref<SR> sr) {
            this.sr = sr;
            this.worker = Thread.currentThread();
            this.renewer = Thread.ofVirtual().name("coalesce-lease-" + sr.value()).start(this::renew);
        }

        boolean lost() { return lost; }

        /** Renews every third of a lease; a lease another host took stops the merge (its qemu-img is killed). */
        private void renew() {
            while (!done) {
                try {
                    Thread.sleep(Math.max(1, leaseMillis / 3));
                } catch (InterruptedException e) {
                    return;
                }
                if (done) return;
                try {
                    if (!take(sr)) {
                        lost = true;
                        LOG.log(System.Logger.Level.WARNING, "SR " + sr.value() + ": another host took the collector's lease; stopping");
                        worker.interrupt();
                        return;
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "SR " + sr.value() + ": the collector's lease was not renewed: " + e);
                }
            }
        }

        /** Stops renewing and leaves the lease to lapse: what a kill leaves, which this host takes again at once. */
        void stop() {
            done = true;
            renewer.interrupt();
        }

        /** Stops renewing and gives the lease up, so that another host need not wait for it to lapse. */
        @Override
        public void close() {
            stop();
            if (lost) return;
            db.write(tx -> {
                DbObject<SR> s = db.get(sr);
                if (s == null || !host.value().equals(holder(s).orElse(null))) return;
                var sm = new LinkedHashMap<>(s.get(SR.sm_config));
                sm.remove(BY);
                sm.remove(UNTIL);
                tx.set(sr, SR.sm_config, sm);
            });
        }
    }

    /** The lease on a shared SR, or empty if another host holds one that has not lapsed. */
    Optional<Lease> acquire(Ref<SR> sr) { return take(sr) ? Optional.of(new Lease(sr)) : Optional.empty(); }

    /** Takes or renews the lease, unless another host's has not lapsed. */
    private boolean take(Ref<SR> sr) {
        return db.writeReturning(tx -> {
            DbObject<SR> s = db.get(sr);
            if (s == null) return false;
            Map<String, String> sm = s.get(SR.sm_config);
            long now = System.currentTimeMillis();
            Optional<String> by = holder(s);
            if (by.isPresent() && !by.get().equals(host.value()) && now < until(sm)) return false;
            var next = new LinkedHashMap<>(sm);
            next.put(BY, host.value());
            next.put(UNTIL, Long.toString(now + leaseMillis));
            tx.set(sr, SR.sm_config, next);
            return true;
        });
    }

    private static Optional<String> holder(DbObject<SR> s) { return Optional.ofNullable(s.get(SR.sm_config).get(BY)); }

    private static long until(Map<String, String> sm) {
        try {
            return Long.parseLong(sm.getOrDefault(UNTIL, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

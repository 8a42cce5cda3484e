package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.power.DomainTeardown;
import org.flotilla.runtime.power.MigrationStatus;
import org.flotilla.runtime.power.VmStarter;
import org.flotilla.storage.Storage;

/**
 * The destination's side of live migration. {@link #prepare} starts the VM's QEMU jailed as VM.start would, but
 * waiting for a stream ({@code -incoming defer}), gives it a TLS identity for this migration that lets in only the
 * source's QEMU ({@link QemuTls}), and listens on a TCP port of the daemon's own ({@link QemuStreamPort}) for the one
 * connection from the source that opens with the token it returns; that connection is handed to QEMU
 * ({@code migrate-incoming fd:}), which speaks TLS on it. {@link #finish} waits until QEMU has loaded everything,
 * runs the guest and records it here; {@link #abort} ends the half-made domain without a trace in the records. A VM
 * that brings its disks (Storage XenMotion) comes in on VDIs made here for them ({@link ArrivingDisks}).
 */
public final class IncomingMigrations implements MigrationPeer {
    private static final System.Logger LOG = System.getLogger(IncomingMigrations.class.getName());
    /** How long a prepared destination waits for the source to send everything and finish. */
    private static final long STREAM_MINUTES = 10;
    /** The QEMU object of the migration's TLS identity, and the name its stream's descriptor is given under. */
    private static final String TLS_CREDS = "migration-tls";
    private static final String STREAM_FD = "migration-in";
    /** How long an abort waits for a finish under way to end, well within the source's wait for its answer. */
    private static final long ABORT_WAITS_FOR_FINISH_SECONDS = 8;
    private static final long TICK_MILLIS = 1000;
    /** The longest pause between two looks at whether the stream has all been loaded, when QEMU announces nothing before. */
    private static final Duration LOADED_POLL = Duration.ofMillis(5);

    private final Database db;
    private final Storage storage;
    private final VmStarter starter;
    private final DomainTeardown teardown;
    private final Map<Ref<VM>, Arrival> arrivals = new ConcurrentHashMap<>();
    /** The last finish of each VM that came here, by its token, for an abort that follows a lost answer. */
    private final Map<Ref<VM>, Finish> finishes = new ConcurrentHashMap<>();
    private volatile Supplier<InetAddress> listenAddress;
    private final List<Consumer<Ref<VM>>> discarded = new CopyOnWriteArrayList<>();
    private final Ref<Host> here;
    private volatile VmHistories histories = VmHistories.NONE;

    /**
     * A VM on its way here: its QEMU, the port it comes in by, done once its stream is QEMU's, and the disks it brings
     * (a halted VM brings only disks: no QEMU nor port).
     */
    private record Arrival(VmStarter.Launched launched, String token, QemuStreamPort port, CompletableFuture<Void> stream,
                           ArrivingDisks disks) {}

    public IncomingMigrations(Database db, Ref<Host> here, Storage storage, VmStarter starter, DomainTeardown teardown,
                              Supplier<InetAddress> listenAddress) {
        this.db = db;
        this.here = here;
        this.storage = storage;
        this.starter = starter;
        this.teardown = teardown;
        this.listenAddress = listenAddress;
    }

    /** Where this host takes migration streams in (its management address unless set). */
    public void listenOn(InetAddress address) { this.listenAddress = () -> address; }

    /** Where the histories of VMs that come here are taken up. */
    public void keepHistoriesIn(VmHistories histories) { this.histories = histories; }

    @Override
    public void history(String vm, String history) {
        DbObject<VM> v = db.require(VM.CLASS.ref(vm));
        if (!here.equals(v.get(VM.resident_on))) throw ApiError.of("VM_NOT_RESIDENT_HERE", vm, here.value());
        histories.adopt(v.get(VM.uuid), history);
    }

    @Override
    public IncomingStream prepare(String vm, Map<String, String> disks, String certificate) {
        Ref<VM> ref = VM.CLASS.ref(vm);
        var result = new IncomingStream[1];
        CurrentOperations.runMappingErrors(disks.isEmpty() ? "VM.pool_migrate" : "VM.migrate_send", () -> {
            if (arrivals.containsKey(ref)) throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref.value());
            QemuTls.requireCertificate(certificate);
            var phases = new Phases();
            ArrivingDisks arriving = ArrivingDisks.make(db, storage, disks);
            phases.mark("VDIs made");
            result[0] = open(ref, arriving, db.require(ref).get(VM.power_state) == VmPowerState.Running, certificate, phases);
            LOG.log(System.Logger.Level.INFO, "VM " + ref.value() + " prepared to come here in steps: " + phases);
        });
        return result[0];
    }

    /**
     * A VM from another pool, its records made here already (halted, as XAPI's import leaves them until the VM runs)
     * and its disks made by {@code arriving}: as {@link #prepare}, running ({@code live}) or halted, its QEMU (or
     * qemu-img) showing {@code certificate}, which it sent over the other pool's API. {@code arriving}'s VDIs go if it
     * fails.
     */
    IncomingStream prepareImported(Ref<VM> ref, ArrivingDisks arriving, boolean live, String certificate) {
        var result = new IncomingStream[1];
        CurrentOperations.runMappingErrors("VM.migrate_send", () -> {
            try {
                if (arrivals.containsKey(ref)) throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref.value());
                QemuTls.requireCertificate(certificate);
            } catch (RuntimeException e) {
                arriving.destroy();
                throw e;
            }
            var phases = new Phases();
            result[0] = open(ref, arriving, live, certificate, phases);
            LOG.log(System.Logger.Level.INFO, "VM " + ref.value() + " prepared to come here in steps: " + phases);
        });
        return result[0];
    }

    /**
     * The way in for a VM, running ({@code live}) or halted, whose source's QEMU (or qemu-img) shows {@code certificate};
     * each step of it marked in {@code phases}.
     */
    private IncomingStream open(Ref<VM> ref, ArrivingDisks arriving, boolean live, String certificate, Phases phases) throws IOException, InterruptedException {
        if (!live) return openHalted(ref, arriving, certificate);
        VmStarter.Launched launched;
        try {
            launched = starter.launchIncoming(ref, arriving.made());
            phases.mark("QEMU launched");
        } catch (IOException | RuntimeException | InterruptedException e) {
            arriving.destroy();
            throw e;
        }
        Domain d = launched.domain();
        QemuStreamPort port = null;
        try {
            QemuTls identity = QemuTls.make();
            identity.install(d, TLS_CREDS, QemuTls.End.SERVER, certificate);
            d.qmp.execute("migrate-set-parameters", Map.of("tls-creds", TLS_CREDS));
            d.qmp.execute("migrate-set-capabilities", Map.of("capabilities", List.of(Map.of("capability", "events", "state", true))));
            phases.mark("TLS");
            InetAddress address = listenAddress.get();
            String token = OneTimeToken.create();
            int disksPort = arriving.made().isEmpty() ? 0 : arriving.serve(db, d, ref, address, TLS_CREDS);
            int copiesPort = arriving.serveCopies(db, ref, address, identity, certificate);
            phases.mark("disks served");
            var stream = new CompletableFuture<Void>();
            port = QemuStreamPort.open(address, token, fd -> {
                try {
                    QemuSockets.handOver(d, STREAM_FD, fd, "migrate-incoming", Map.of("uri", "fd:" + STREAM_FD));
                    stream.complete(null);
                } catch (IOException | RuntimeException e) {
                    stream.completeExceptionally(e);
                    throw e;
                }
            });
            arrivals.put(ref, new Arrival(launched, token, port, stream, arriving));
            expireUnlessFinished(ref, token);
            phases.mark("stream port");
            return new IncomingStream(address.getHostAddress(), port.port(), token, disksPort, arriving.byReference(), identity.certificate(),
                    copiesPort);
        } catch (IOException | RuntimeException e) {
            if (port != null) port.close();
            teardown.letGo(d);
            arriving.destroy();
            throw e;
        }
    }

    /** A halted VM brings only its disks: they are served until the source has copied them, and nothing runs. */
    private IncomingStream openHalted(Ref<VM> ref, ArrivingDisks arriving, String certificate) throws IOException, InterruptedException {
        try {
            InetAddress address = listenAddress.get();
            String token = OneTimeToken.create();
            QemuTls identity = QemuTls.make();
            int disksPort = arriving.serveHalted(db, ref, address, identity, certificate);
            arrivals.put(ref, new Arrival(null, token, null, null, arriving));
            expireUnlessFinished(ref, token);
            return new IncomingStream(address.getHostAddress(), 0, token, disksPort, arriving.byReference(), identity.certificate(), disksPort);
        } catch (IOException | RuntimeException | InterruptedException e) {
            arriving.destroy();
            throw e;
        }
    }

    /**
     * A source that never finishes nor aborts (it died, or lost its way here) must not leave a QEMU waiting for ever:
     * the arrival ends once its QEMU has, which it does when its stream breaks (a source that is gone closes it; a
     * link that is gone fails it within {@link QemuSockets#LIVENESS}), and in any case when no finish has come within
     * {@value #STREAM_MINUTES} minutes.
     */
    private void expireUnlessFinished(Ref<VM> ref, String token) {
        Thread.ofVirtual().name("migration-expiry-" + ref.value()).start(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(STREAM_MINUTES);
            while (true) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                Arrival a = arrivals.get(ref);
                if (a == null || !a.token().equals(token)) return;
                String why = System.nanoTime() > deadline ? "was neither finished nor aborted"
                        : a.launched() != null && !a.launched().domain().alive() ? "lost its QEMU (its stream broke)" : null;
                if (why == null) continue;
                if (claim(ref, token) == null) return;
                LOG.log(System.Logger.Level.WARNING, "the migration of VM " + ref.value() + " here " + why + ": its QEMU ends");
                discard(ref, a);
                return;
            }
        });
    }

    @Override
    public long finish(String vm, String token) {
        Ref<VM> ref = VM.CLASS.ref(vm);
        Arrival a = claim(ref, token);
        if (a == null) throw ApiError.internal("no migration of VM " + vm + " with that token is coming here");
        var finish = new Finish(token, new CompletableFuture<>());
        finishes.put(ref, finish);
        var domid = new long[] {-1};
        try {
            CurrentOperations.runMappingErrors("VM.pool_migrate", () -> {
                if (a.launched() == null) {
                    a.disks().arrived(null);
                    return;
                }
                var phases = new Phases();
                awaitLoaded(a);
                phases.mark("stream loaded");
                a.disks().arrived(a.launched().domain());
                phases.mark("exports stopped");
                starter.arrived(a.launched(), false);
                phases.mark("guest runs, recorded");
                // as the source's QEMU would have, had it stayed: a suspend here later streams its memory without TLS
                QemuTls.forget(a.launched().domain(), TLS_CREDS);
                domid[0] = a.launched().domid();
                LOG.log(System.Logger.Level.INFO, "VM " + ref.value() + " finished coming here in steps: " + phases);
            });
        } catch (RuntimeException e) {
            discard(ref, a);
            finish.done().completeExceptionally(e);
            throw e;
        }
        finish.done().complete(domid[0]);
        return domid[0];
    }

    @Override
    public boolean abort(String vm, String token) {
        Ref<VM> ref = VM.CLASS.ref(vm);
        Arrival a = claim(ref, token);
        if (a != null) {
            discard(ref, a);
            return false;
        }
        Finish f = finishes.get(ref);
        if (f == null || !OneTimeToken.matches(f.token(), token)) return false;
        try {
            f.done().get(ABORT_WAITS_FOR_FINISH_SECONDS, TimeUnit.SECONDS);
            return true; // the guest runs here: nothing is undone
        } catch (java.util.concurrent.ExecutionException e) {
            return false; // the finish failed, and undid what it had made
        } catch (java.util.concurrent.TimeoutException e) {
            throw ApiError.internal("VM " + vm + " is still being finished here");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        }
    }

    /** A finish of a VM's arrival: its token, and its outcome once known. */
    private record Finish(String token, CompletableFuture<Long> done) {}

    /** The VM's arrival, taken off the list, if the token is its own. */
    private Arrival claim(Ref<VM> ref, String token) {
        Arrival a = arrivals.get(ref);
        if (a == null || !OneTimeToken.matches(a.token(), token)) return null;
        return arrivals.remove(ref, a) ? a : null;
    }

    private static void awaitLoaded(Arrival a) throws IOException, InterruptedException {
        Domain d = a.launched().domain();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(STREAM_MINUTES);
        while (true) {
            long mark = d.qmp.eventMark();
            if (MigrationStatus.check(d.qmp, "receiving the VM's memory").equals("completed")) return;
            if (a.stream().isCompletedExceptionally()) {
                throw ApiError.internal("receiving the VM's memory failed: " + a.stream().exceptionNow());
            }
            if (!d.alive()) throw ApiError.internal("the destination's QEMU exited while receiving the VM's memory");
            if (System.nanoTime() > deadline) throw ApiError.internal("receiving the VM's memory timed out");
            // the guest is stopped until this host runs it: QEMU's MIGRATION event (the events capability) ends the pause at once
            MigrationStatus.awaitChange(d.qmp, mark, LOADED_POLL);
        }
    }

    /** Calls {@code listener} with each VM whose arrival here was given up (its QEMU and new VDIs gone). */
    void onDiscard(Consumer<Ref<VM>> listener) { discarded.add(listener); }

    private void discard(Ref<VM> ref, Arrival a) {
        try {
            if (a.launched() != null) {
                a.port().close();
                try {
                    teardown.letGo(a.launched().domain());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // records made for the VM here (from another pool) go before the disks they hold
            discarded.forEach(l -> l.accept(ref));
        } finally {
            a.disks().destroy();
        }
    }

    /** The VMs on their way here (tests look). */
    public boolean expecting(Ref<VM> vm) { return arrivals.containsKey(vm); }
}

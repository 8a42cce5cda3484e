package org.flotilla.runtime.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.power.DomainTeardown;
import org.flotilla.runtime.power.MigrationStatus;
import org.flotilla.runtime.power.VmStarter;
import org.flotilla.storage.Storage;

/**
 * The destination's side of live migration. {@link #prepare} starts the VM's QEMU jailed as VM.start would, but
 * waiting for a stream ({@code -incoming defer}, then {@code migrate-incoming} on a unix socket in its run
 * directory), and listens on a TCP port of the daemon's own ({@link MigrationPort}) for the one connection from the
 * source, over TLS, that opens with the token it returns; that connection is relayed into QEMU's socket.
 * {@link #finish} waits until QEMU has loaded everything, runs the guest and records it here; {@link #abort} ends the half-made domain without a trace in the records. A VM
 * that brings its disks (Storage XenMotion) comes in on VDIs made here for them ({@link ArrivingDisks}).
 */
public final class IncomingMigrations implements MigrationPeer {
    private static final System.Logger LOG = System.getLogger(IncomingMigrations.class.getName());
    /** How long a prepared destination waits for the source to send everything and finish. */
    private static final long STREAM_MINUTES = 10;
    private static final String SOCKET = "incoming.sock";
    /** How long an abort waits for a finish under way to end, well within the source's wait for its answer. */
    private static final long ABORT_WAITS_FOR_FINISH_SECONDS = 8;
    private static final long TICK_MILLIS = 1000;

    private final Database db;
    private final Storage storage;
    private final VmStarter starter;
    private final DomainTeardown teardown;
    private final Map<Ref<VM>, Arrival> arrivals = new ConcurrentHashMap<>();
    /** The last finish of each VM that came here, by its token, for an abort that follows a lost answer. */
    private final Map<Ref<VM>, Finish> finishes = new ConcurrentHashMap<>();
    private volatile Supplier<InetAddress> listenAddress;
    private volatile MigrationTls tls = MigrationTls.none();
    private final List<Consumer<Ref<VM>>> discarded = new CopyOnWriteArrayList<>();

    /**
     * A VM on its way here: its QEMU, the port it comes in by, the relay that feeds it with the bytes it has carried,
     * and the disks it brings (a halted VM brings only disks: no QEMU, port nor relay).
     */
    private record Arrival(VmStarter.Launched launched, String token, MigrationPort port, CompletableFuture<Long> relay,
                           AtomicLong received, ArrivingDisks disks) {}

    public IncomingMigrations(Database db, Storage storage, VmStarter starter, DomainTeardown teardown, Supplier<InetAddress> listenAddress) {
        this.db = db;
        this.storage = storage;
        this.starter = starter;
        this.teardown = teardown;
        this.listenAddress = listenAddress;
    }

    /** The TLS the sources' connections come in by: this host's certificate, and the pool's members let in. */
    public void setTls(MigrationTls tls) { this.tls = tls; }

    /** Where this host takes migration streams in (its management address unless set). */
    public void listenOn(InetAddress address) { this.listenAddress = () -> address; }

    @Override
    public IncomingStream prepare(String vm, Map<String, String> disks) {
        Ref<VM> ref = VM.CLASS.ref(vm);
        var result = new IncomingStream[1];
        CurrentOperations.runMappingErrors(disks.isEmpty() ? "VM.pool_migrate" : "VM.migrate_send", () -> result[0] = open(ref, disks));
        return result[0];
    }

    private IncomingStream open(Ref<VM> ref, Map<String, String> disks) throws IOException, InterruptedException {
        return open(ref, disks, tls.members());
    }

    /** A VM coming from {@code sources}: the pool's members, or anyone with the token when the source is not one. */
    private IncomingStream open(Ref<VM> ref, Map<String, String> disks, PeerTrust sources) throws IOException, InterruptedException {
        if (arrivals.containsKey(ref)) throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref.value());
        MigrationTls tls = this.tls;
        tls.requireIdentity();
        ArrivingDisks arriving = ArrivingDisks.make(db, storage, disks);
        return open(ref, arriving, db.require(ref).get(VM.power_state) != VmPowerState.Halted, tls, sources);
    }

    /**
     * A VM from another pool, its records made here already (halted, as XAPI's import leaves them until the VM runs)
     * and its disks made by {@code arriving}: as {@link #prepare}, running ({@code live}) or halted. Its source is no
     * member: the token alone lets it in, over TLS. {@code arriving}'s VDIs go if it fails.
     */
    IncomingStream prepareImported(Ref<VM> ref, ArrivingDisks arriving, boolean live) {
        var result = new IncomingStream[1];
        CurrentOperations.runMappingErrors("VM.migrate_send", () -> {
            MigrationTls tls = this.tls;
            try {
                if (arrivals.containsKey(ref)) throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", VM.CLASS.name(), ref.value());
                tls.requireIdentity();
            } catch (RuntimeException e) {
                arriving.destroy();
                throw e;
            }
            result[0] = open(ref, arriving, live, tls, PeerTrust.ANYONE);
        });
        return result[0];
    }

    private IncomingStream open(Ref<VM> ref, ArrivingDisks arriving, boolean live, MigrationTls tls, PeerTrust sources)
            throws IOException, InterruptedException {
        if (!live) return openHalted(ref, arriving, tls, sources);
        VmStarter.Launched launched;
        try {
            launched = starter.launchIncoming(ref, arriving.made());
        } catch (IOException | RuntimeException | InterruptedException e) {
            arriving.destroy();
            throw e;
        }
        Domain d = launched.domain();
        MigrationPort port = null;
        try {
            InetAddress address = listenAddress.get();
            String token = OneTimeToken.create();
            int disksPort = arriving.made().isEmpty() ? 0 : arriving.serve(db, d, ref, tls, sources, address, token);
            d.qmp.execute("migrate-incoming", Map.of("uri", "unix:" + QemuCommand.JAILED.resolve(SOCKET)));
            port = MigrationPort.open(tls, sources, address, token);
            var relay = new CompletableFuture<Long>();
            var received = new AtomicLong();
            MigrationPort listening = port;
            Thread.ofVirtual().name("migration-in-" + d.uuid).start(() -> {
                try {
                    relay.complete(receive(listening, d.runDir.resolve(SOCKET), received));
                } catch (Throwable t) {
                    relay.completeExceptionally(t);
                }
            });
            arrivals.put(ref, new Arrival(launched, token, port, relay, received, arriving));
            expireUnlessFinished(ref, token);
            return new IncomingStream(address.getHostAddress(), port.port(), token, disksPort, arriving.byReference());
        } catch (IOException | RuntimeException e) {
            if (port != null) port.close();
            teardown.letGo(d);
            arriving.destroy();
            throw e;
        }
    }

    /** A halted VM brings only its disks: they are served until the source has copied them, and nothing runs. */
    private IncomingStream openHalted(Ref<VM> ref, ArrivingDisks arriving, MigrationTls tls, PeerTrust sources) throws IOException, InterruptedException {
        try {
            InetAddress address = listenAddress.get();
            String token = OneTimeToken.create();
            int disksPort = arriving.serveHalted(db, ref, tls, sources, address, token);
            arrivals.put(ref, new Arrival(null, token, null, null, new AtomicLong(), arriving));
            expireUnlessFinished(ref, token);
            return new IncomingStream(address.getHostAddress(), 0, token, disksPort, arriving.byReference());
        } catch (IOException | RuntimeException | InterruptedException e) {
            arriving.destroy();
            throw e;
        }
    }

    /**
     * A source that never finishes nor aborts (it died, or lost its way here) must not leave a QEMU waiting for ever:
     * the arrival ends once its stream, begun, has carried nothing for {@link OutgoingMigrations#STALL_SECONDS} (a
     * link or source that is gone; the TCP connection has no keepalive), and in any case when no finish has come
     * within {@value #STREAM_MINUTES} minutes.
     */
    private void expireUnlessFinished(Ref<VM> ref, String token) {
        Thread.ofVirtual().name("migration-expiry-" + ref.value()).start(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(STREAM_MINUTES);
            var stall = new StallWatch(OutgoingMigrations.STALL_SECONDS);
            while (true) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                Arrival a = arrivals.get(ref);
                if (a == null || !a.token().equals(token)) return;
                boolean carried = a.relay().isDone() && !a.relay().isCompletedExceptionally();
                // the clock starts with the first byte: a source may have work to do before it streams (disks to mirror)
                boolean streaming = !carried && a.received().get() > 0;
                String why = System.nanoTime() > deadline ? "was neither finished nor aborted"
                        : streaming && stall.stalled(a.received().get()) ? "carried nothing for " + OutgoingMigrations.STALL_SECONDS + " s" : null;
                if (why == null) continue;
                if (claim(ref, token) == null) return;
                LOG.log(System.Logger.Level.WARNING, "the migration of VM " + ref.value() + " here " + why + ": its QEMU ends");
                discard(ref, a);
                return;
            }
        });
    }

    /** Relays the one connection the port lets in (the source's, past TLS and the token) into QEMU. */
    private static long receive(MigrationPort port, Path qemuSocket, AtomicLong received) throws IOException {
        try (port; RelayEnd tcp = port.next()) {
            port.close();
            try (SocketChannel qemu = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                qemu.connect(UnixDomainSocketAddress.of(qemuSocket));
                long carried = StreamRelay.copy(tcp, RelayEnd.of(qemu), received);
                tcp.shutdownOutput(); // the source waits for this answer: everything it sent was taken
                return carried;
            }
        }
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
                awaitLoaded(a);
                a.disks().arrived(a.launched().domain());
                starter.arrived(a.launched(), false);
                domid[0] = a.launched().domid();
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
        while (!MigrationStatus.check(d.qmp, "receiving the VM's memory").equals("completed")) {
            if (a.relay().isCompletedExceptionally()) {
                throw ApiError.internal("receiving the VM's memory failed: " + a.relay().exceptionNow());
            }
            if (!d.alive()) throw ApiError.internal("the destination's QEMU exited while receiving the VM's memory");
            if (System.nanoTime() > deadline) throw ApiError.internal("receiving the VM's memory timed out");
            Thread.sleep(5);
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

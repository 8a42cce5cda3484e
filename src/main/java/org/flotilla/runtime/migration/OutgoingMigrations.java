package org.flotilla.runtime.migration;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.os.Fd;
import org.flotilla.os.TcpSockets;
import org.flotilla.pool.BootChecks;
import org.flotilla.qemu.QmpException;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.power.DomainTeardown;
import org.flotilla.runtime.power.MigrationStatus;
import org.flotilla.storage.Storage;

/**
 * The source's side of VM.pool_migrate, XenMotion on storage both hosts reach: the destination prepared through
 * its {@link MigrationPeer} (which answers over the pool's TLS, from the host the pool pinned), QEMU's migration
 * stream sent to it over a connection the daemon makes and hands QEMU, which speaks TLS on it with an identity made
 * for this migration and trusts only the one the destination answered with ({@link QemuTls}), followed to
 * completion with the task's progress, the destination told to run the guest, and only then this host's QEMU ended, its records left to the destination. Any failure before the
 * destination runs the guest ends the destination's half and leaves the guest running here: VM_MIGRATE_FAILED (TASK_CANCELLED if the task
 * was cancelled while the stream ran). VM.migrate_send within the pool (Storage XenMotion) is the same with the disks
 * that move mirrored to the destination first ({@link DiskMirrors}), or for a halted VM only those disks copied
 * ({@link DiskCopies}).
 */
public final class OutgoingMigrations {
    private static final System.Logger LOG = System.getLogger(OutgoingMigrations.class.getName());
    /** The QEMU object of the migration's TLS identity, and the name its stream's descriptor is given under. */
    private static final String TLS_CREDS = "migration-tls-out";
    private static final String STREAM_FD = "migration-out";
    /** QEMU's 128 MiB/s default is far below a modern link. */
    private static final long MAX_BANDWIDTH = 8L << 30;
    /** QEMU's default is 300 ms; Proxmox asks for 100. */
    private static final long DOWNTIME_LIMIT_MS = 100;
    private static final long STREAM_MINUTES = 30;
    /**
     * How long the stream may send nothing before the migration is given up: QEMU's migration socket has no
     * keepalive, and a destination or link that is gone leaves it blocked in a write for ever.
     */
    static final long STALL_SECONDS = 15;
    private static final String TASK_CANCELLED = "TASK_CANCELLED";
    /** The longest pause between two polls of the stream's state, when QEMU announces no change before. */
    private static final Duration POLL = Duration.ofMillis(10);
    /** The least change of progress worth a write to the pool's database. */
    private static final double PROGRESS_STEP = 0.02;

    private final Ref<Host> here;
    private final CurrentOperations operations;
    private final Domains domains;
    private final BootChecks checks;
    private final DomainTeardown teardown;
    private final Database db;
    private final Storage storage;
    private final MovedDisks movedDisks;
    private final Map<Ref<VM>, MigrationReport> reports = new ConcurrentHashMap<>();
    private volatile MigrationPeers peers = MigrationPeers.NONE;
    private volatile VmHistories histories = VmHistories.NONE;

    public OutgoingMigrations(Database db, Storage storage, Ref<Host> here, CurrentOperations operations, Domains domains, BootChecks checks,
                              DomainTeardown teardown) {
        this.db = db;
        this.storage = storage;
        this.movedDisks = new MovedDisks(db, storage);
        this.here = here;
        this.operations = operations;
        this.domains = domains;
        this.checks = checks;
        this.teardown = teardown;
    }

    public void setPeers(MigrationPeers peers) { this.peers = peers; }

    /** Where the histories of the VMs running here are kept, to go after a VM that leaves. */
    public void keepHistoriesIn(VmHistories histories) { this.histories = histories; }

    /** VM.pool_migrate of a VM running here to {@code destination}. */
    public void migrate(Call c, Ref<VM> vm, Ref<Host> destination) { migrate(c, vm, destination, Map.of()); }

    /**
     * VM.pool_migrate, or VM.migrate_send within the pool when {@code moves} is not empty: the disks of those VDIs go
     * with the VM, each to a VDI made in the SR it maps to there; once the guest runs there, its VBDs name the new
     * VDIs and the ones here are destroyed, as XAPI destroys the VDIs it moved.
     */
    public void migrate(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves) {
        VmOperations op = moves.isEmpty() ? VmOperations.pool_migrate : VmOperations.migrate_send;
        migrate(c, vm, destination, moves, op, () -> peers.to(destination),
                new Departure(in -> movedDisks.repoint(vm, in.disks()), in -> movedDisks.destroyLeft(vm, in.disks()), true));
    }

    /**
     * VM.migrate_send to a host of another pool, through {@code peer} (which takes the VM's records there with the
     * first call): as within the pool, every disk of {@code moves} mirrored; once the guest runs there, {@code left}
     * removes the VM from this pool.
     */
    public void migrateToOtherPool(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves, MigrationPeer peer, Runnable left) {
        migrate(c, vm, destination, moves, VmOperations.migrate_send, () -> peer, new Departure(in -> { }, in -> left.run(), false));
    }

    private void migrate(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves, VmOperations op,
                         Supplier<MigrationPeer> there, Departure left) {
        boolean inPool = db.exists(destination);
        var phases = new Phases();
        var leftBehind = new AtomicReference<CompletableFuture<Void>>();
        operations.run(c, vm, op, () -> {
            phases.mark("listed");
            Domain d = domains.running(vm);
            if (destination.equals(here)) throw ApiError.of("OPERATION_NOT_ALLOWED", "the VM already runs on host " + destination.value());
            // another pool's host checks for itself, as it prepares
            if (inPool) checks.assertCanBootHere(vm, destination, moves);
            c.task().progress(0.05);
            long t0 = System.nanoTime();
            phases.mark("checked");
            Prepared prepared = prepare(vm, destination, moves, there);
            phases.mark("destination prepared");
            MigrationPeer peer = prepared.peer();
            IncomingStream in = prepared.in();
            try {
                MigrationReport report = send(c, d, in, prepared.identity(), peer, vm, millisSince(t0), phases);
                reports.put(vm, report);
                LOG.log(System.Logger.Level.INFO, "VM " + d.uuid + " moved to host " + destination.value() + ": " + report);
            } catch (Exception e) {
                if (!stayHere(d, peer, vm, in, destination)) {
                    if (e instanceof ApiError a && a.code().equals(TASK_CANCELLED)) throw a;
                    throw failed(vm, destination, describe(e));
                }
                LOG.log(System.Logger.Level.WARNING, "VM " + d.uuid + " runs on host " + destination.value()
                        + " although its migration failed here (" + describe(e) + "): its QEMU here goes");
            }
            long t1 = System.nanoTime();
            // the guest runs there: this QEMU's end (tens of ms) and the records' writes need not wait for each other
            var qemuEnded = new CompletableFuture<Long>();
            Thread.ofVirtual().name("migrated-away-" + d.uuid).start(() -> {
                try {
                    teardown.letGo(d);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    qemuEnded.complete(millisSince(t1));
                }
            });
            left.whileQemuEnds().accept(in);
            phases.mark("records");
            handOverHistory(peer, vm, d.uuid);
            long qemuMillis = qemuEnded.join();
            phases.mark("QEMU ended");
            CompletableFuture<Void> cleared;
            if (left.alongsideUnlisting()) {
                cleared = CompletableFuture.runAsync(() -> left.afterQemu().accept(in), r -> Thread.ofVirtual().name("left-behind-" + d.uuid).start(r));
            } else {
                left.afterQemu().accept(in);
                cleared = CompletableFuture.completedFuture(null);
            }
            // the VM has moved whatever happens to what it left here: that is logged, not the call's failure
            leftBehind.set(cleared.handle((x, e) -> {
                if (e != null) LOG.log(System.Logger.Level.WARNING, "VM " + d.uuid + " moved, but what it left here was not all cleared: " + e);
                LOG.log(System.Logger.Level.INFO, "VM " + d.uuid + " left: its QEMU here ended in " + qemuMillis + " ms, what it left behind went in "
                        + millisSince(t1) + " ms");
                return null;
            }));
        });
        phases.mark("unlisted");
        CompletableFuture<Void> cleared = leftBehind.get();
        if (cleared != null) {
            cleared.join();
            phases.mark("left behind");
        }
        LOG.log(System.Logger.Level.INFO, "VM " + vm.value() + " left this host in steps: " + phases);
    }

    /**
     * The VM's history goes after it, as XAPI sends a VM's RRD to its new host: in the background, once it runs there.
     * Failing costs the history (its graphs start again there), never the move.
     */
    private void handOverHistory(MigrationPeer peer, Ref<VM> vm, String uuid) {
        VmHistories kept = histories;
        Thread.ofVirtual().name("history-" + uuid).start(() -> {
            try {
                kept.of(uuid).ifPresent(history -> peer.history(vm.value(), history));
                kept.forget(uuid);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the history of VM " + uuid + " did not reach its new host: " + e.getMessage());
            }
        });
    }

    /**
     * VM.migrate_send of a halted VM within the pool: the disks of the VDIs in {@code moves} are copied to VDIs made in
     * the SRs they map to there, which its VBDs then name; the VDIs here are destroyed. Nothing runs.
     */
    public void moveHalted(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves) {
        moveHalted(c, vm, destination, moves, () -> peers.to(destination), in -> movedDisks.leaveBehind(vm, in.disks()));
    }

    /** VM.migrate_send of a halted VM to a host of another pool: as {@link #migrateToOtherPool}, its disks copied. */
    public void moveHaltedToOtherPool(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves, MigrationPeer peer, Runnable left) {
        moveHalted(c, vm, destination, moves, () -> peer, in -> left.run());
    }

    private void moveHalted(Call c, Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves, Supplier<MigrationPeer> there,
                            Consumer<IncomingStream> left) {
        boolean inPool = db.exists(destination);
        operations.run(c, vm, VmOperations.migrate_send, () -> {
            if (inPool) checks.assertCanSeeSrs(vm, destination, moves);
            Prepared prepared = prepare(vm, destination, moves, there);
            MigrationPeer peer = prepared.peer();
            IncomingStream in = prepared.in();
            try {
                var reported = new double[] {0};
                DiskCopies.copy(db, storage, vm, in, prepared.identity(),
                        share -> reported[0] = progress(c, reported[0], 0.05 + 0.85 * share));
                peer.finish(vm.value(), in.token());
            } catch (Exception e) {
                if (!abortThere(peer, vm, in, destination)) throw failed(vm, destination, describe(e));
            }
            left.accept(in);
        });
    }

    /**
     * What this host does once the guest runs on the destination: {@code whileQemuEnds} alongside the end of its QEMU
     * here (records that do not need it gone), {@code afterQemu} once it has ended (what it held open); with
     * {@code alongsideUnlisting}, while the VM's operation is taken off (what no longer belongs to the VM: each is a
     * write through the pool's database, and the call returns once both are done), else before.
     */
    private record Departure(Consumer<IncomingStream> whileQemuEnds, Consumer<IncomingStream> afterQemu, boolean alongsideUnlisting) {}

    /** The destination, made ready for the VM and the disks that move with it, and the identity this host shows it. */
    private record Prepared(MigrationPeer peer, IncomingStream in, QemuTls identity) {}

    private Prepared prepare(Ref<VM> vm, Ref<Host> destination, Map<Ref<VDI>, Ref<SR>> moves, Supplier<MigrationPeer> there) {
        try {
            MigrationPeer peer = there.get();
            QemuTls identity = QemuTls.make();
            return new Prepared(peer, peer.prepare(vm.value(), byReference(moves), identity.certificate()), identity);
        } catch (RuntimeException e) {
            throw failed(vm, destination, "the destination could not prepare: " + describe(e));
        }
    }

    private static Map<String, String> byReference(Map<Ref<VDI>, Ref<SR>> moves) {
        var out = new LinkedHashMap<String, String>();
        moves.forEach((vdi, sr) -> out.put(vdi.value(), sr.value()));
        return out;
    }

    /** The report of the VM's last migration away from here, or null. */
    public MigrationReport lastReport(Ref<VM> vm) { return reports.get(vm); }

    private static long millisSince(long t) { return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t); }

    /** Everything of a running VM, QEMU to QEMU over TLS: the disks that move mirrored, then the memory. */
    private MigrationReport send(Call c, Domain d, IncomingStream in, QemuTls identity, MigrationPeer peer, Ref<VM> vm,
                                 long prepareMillis, Phases phases) throws Exception {
        identity.install(d, TLS_CREDS, QemuTls.End.CLIENT, in.certificate());
        phases.mark("TLS");
        try {
            if (in.copiesPort() != 0) {
                var reported = new double[] {0};
                long bytes = DiskCopies.copyAlong(db, storage, vm, in, identity, share -> reported[0] = progress(c, reported[0], 0.05 * share));
                LOG.log(System.Logger.Level.INFO, "VM " + d.uuid + ": its snapshots' disks copied along (" + bytes + " bytes virtual)");
                phases.mark("snapshot disks copied");
            }
            if (in.disks().isEmpty()) return send(c, d, in, peer, vm, prepareMillis, null, phases);
            DiskMirrors mirrors = DiskMirrors.start(db, d, vm, in, TLS_CREDS);
            phases.mark("mirrors started");
            try {
                return send(c, d, in, peer, vm, prepareMillis, mirrors, phases);
            } catch (Exception e) {
                mirrors.abandon();
                throw e;
            }
        } catch (Exception e) {
            forgetIdentity(d);
            throw e;
        }
    }

    /** After a failure the guest runs on here: its QEMU keeps no trace of the migration's TLS. */
    private static void forgetIdentity(Domain d) { QemuTls.forget(d, TLS_CREDS); }

    /** The memory stream; with {@code mirrors}, once they have copied the disks, and ending them at the switch-over. */
    private MigrationReport send(Call c, Domain d, IncomingStream in, MigrationPeer peer, Ref<VM> vm,
                                 long prepareMillis, DiskMirrors mirrors, Phases phases) throws Exception {
        long disksMillis = 0;
        double memoryFrom = 0.1;
        if (mirrors != null) {
            long t = System.nanoTime();
            var reported = new double[] {0};
            mirrors.awaitReady(share -> reported[0] = progress(c, reported[0], 0.05 + 0.45 * share), () -> c.task().checkCancelled());
            disksMillis = millisSince(t);
            memoryFrom = 0.5;
            phases.mark("disks ready");
        }
        long t0 = System.nanoTime();
        startStream(d, in, mirrors != null);
        phases.mark("stream started");
        JsonNode done = follow(c, d, memoryFrom, mirrors, phases);
        phases.mark("stream complete");
        long streamMillis = millisSince(t0);
        long t1 = System.nanoTime();
        c.task().progress(0.9);
        long domid = peer.finish(vm.value(), in.token());
        phases.mark("guest runs there");
        return new MigrationReport(d.uuid, prepareMillis, streamMillis, millisSince(t1), done.path("total-time").asLong(-1),
                done.path("downtime").asLong(-1), done.path("ram").path("transferred").asLong(-1), domid, disksMillis);
    }

    /**
     * Starts QEMU's stream on a connection to the destination's port that opens with the token, QEMU's TLS on it;
     * {@code pauseBeforeSwitchover}: it stops at pre-switchover, the guest stopped, for the disks to end.
     */
    private static void startStream(Domain d, IncomingStream in, boolean pauseBeforeSwitchover) throws IOException {
        d.qmp.execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                Map.of("capability", "events", "state", true),
                Map.of("capability", "auto-converge", "state", true),
                Map.of("capability", "pause-before-switchover", "state", pauseBeforeSwitchover))));
        d.qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", MAX_BANDWIDTH, "downtime-limit", DOWNTIME_LIMIT_MS,
                "tls-creds", TLS_CREDS, "tls-hostname", QemuTls.NAME));
        Fd stream = QemuSockets.connect(in.address(), in.port());
        try {
            TcpSockets.write(stream, (in.token() + "\n").getBytes(StandardCharsets.US_ASCII), QemuSockets.HANDSHAKE);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
        QemuSockets.handOver(d, STREAM_FD, stream, "migrate", Map.of("uri", "fd:" + STREAM_FD));
    }

    /**
     * Polls query-migrate until the stream is complete, reporting how much memory has gone as the task's progress
     * (from {@code from} to 0.9); a cancelled task stops it. At pre-switchover the disks' mirrors end, then the stream
     * goes on.
     */
    private static JsonNode follow(Call c, Domain d, double from, DiskMirrors mirrors, Phases phases) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(STREAM_MINUTES);
        double reported = 0;
        var stall = new StallWatch(STALL_SECONDS);
        boolean switchedOver = false;
        while (true) {
            c.task().checkCancelled();
            long mark = d.qmp.eventMark();
            JsonNode m = d.qmp.execute("query-migrate");
            String status = m.path("status").asText("");
            if (status.equals("completed")) return m;
            if (status.equals("pre-switchover")) {
                // migrate-continue returns before the state moves on: a poll just after it still reads pre-switchover
                if (!switchedOver) {
                    phases.mark("pre-switchover");
                    if (mirrors != null) mirrors.complete();
                    phases.mark("mirrors ended");
                    d.qmp.execute("migrate-continue", Map.of("state", "pre-switchover"));
                    switchedOver = true;
                }
                awaitStatusChange(d, mark);
                continue;
            }
            if (status.equals("failed") || status.equals("cancelled")) {
                throw ApiError.internal("sending the VM's memory failed: " + m.path("error-desc").asText(status));
            }
            JsonNode ram = m.path("ram");
            long sent = ram.path("transferred").asLong(0);
            long left = ram.path("remaining").asLong(0);
            if (sent + left > 0) reported = progress(c, reported, from + (0.9 - from) * Math.min(1.0, (double) sent / (sent + left)));
            if (!d.alive()) throw ApiError.internal("the source's QEMU exited while sending the VM's memory");
            if (stall.stalled(sent)) throw ApiError.internal("the migration stream sent nothing for " + STALL_SECONDS + " s");
            if (System.nanoTime() > deadline) throw ApiError.internal("sending the VM's memory timed out");
            awaitStatusChange(d, mark);
        }
    }

    /**
     * The pause between two polls of query-migrate, which QEMU's MIGRATION event (the events capability) ends at once:
     * the guest is stopped from pre-switchover until the destination runs it, so every millisecond a poll sleeps past
     * the change is the guest's.
     */
    private static void awaitStatusChange(Domain d, long mark) throws InterruptedException {
        MigrationStatus.awaitChange(d.qmp, mark, POLL);
    }

    /** Writes the task's progress when it has grown by a step since {@code reported}; returns what was last written. */
    private static double progress(Call c, double reported, double progress) {
        if (progress - reported < PROGRESS_STEP) return reported;
        c.task().progress(progress);
        return progress;
    }

    /**
     * After a failure: the stream stopped, the destination's half ended (before the guest may run here again, so that
     * never two run at once on the same disks), and the guest running here as before; false. True, with the guest left
     * stopped here, when the destination's finish went through after all and the guest runs there.
     */
    private boolean stayHere(Domain d, MigrationPeer peer, Ref<VM> vm, IncomingStream in, Ref<Host> destination) {
        try {
            d.qmp.execute("migrate_cancel");
        } catch (QmpException e) {
            LOG.log(System.Logger.Level.WARNING, "migrate_cancel of " + d.uuid + ": " + e.getMessage());
        }
        if (abortThere(peer, vm, in, destination)) return true;
        try {
            awaitSettled(d);
            String run = d.qmp.execute("query-status").path("status").asText("");
            if (!run.equals("running")) d.qmp.execute("cont");
        } catch (IOException | InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run VM " + d.uuid + " again after its failed migration: " + e.getMessage());
        }
        return false;
    }

    /**
     * Ends the destination's half of a failed migration; true when it says the guest already runs there (its finish
     * went through, the answer lost). A destination that does not answer is judged by the pool's records, brought up
     * to date first: the guest runs there if they say it resides there.
     */
    private boolean abortThere(MigrationPeer peer, Ref<VM> vm, IncomingStream in, Ref<Host> destination) {
        try {
            return peer.abort(vm.value(), in.token());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the destination did not clean up the migration of VM " + vm.value() + ": " + e.getMessage());
            db.catchUp();
            return destination.equals(db.require(vm).get(VM.resident_on));
        }
    }

    /** Waits (briefly) until a cancelled migration is no longer under way. */
    private static void awaitSettled(Domain d) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long mark = d.qmp.eventMark();
            String status = d.qmp.execute("query-migrate").path("status").asText("");
            if (!status.equals("active") && !status.equals("setup") && !status.equals("cancelling") && !status.equals("device")) return;
            awaitStatusChange(d, mark);
        }
    }

    private ApiError failed(Ref<VM> vm, Ref<Host> destination, String msg) {
        return ApiError.of("VM_MIGRATE_FAILED", vm.value(), here.value(), destination.value(), msg);
    }

    private static String describe(Exception e) {
        return e instanceof ApiError a ? String.join(" ", a.description()) : e.toString();
    }
}

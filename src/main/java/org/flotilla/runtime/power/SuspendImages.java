package org.flotilla.runtime.power;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.HostAllowedOperations;
import org.flotilla.model.xenapi.enums.VdiType;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.QmpException;
import org.flotilla.pool.Placement;
import org.flotilla.runtime.domain.CurrentOperations;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostMemory;
import org.flotilla.runtime.launch.LaunchSpecs;
import org.flotilla.runtime.launch.QemuCommand;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmAllowedOperations;
import org.flotilla.vm.VmCloner;

/**
 * VM.suspend and VM.resume: QEMU's migration stream, over a unix socket, kept between the two as a
 * "suspend" VDI in the VM's suspend SR (raw bytes converted to the SR's format by qemu-img).
 */
public final class SuspendImages {
    private static final System.Logger LOG = System.getLogger(SuspendImages.class.getName());
    private static final long MIB = HostMemory.MIB;
    /** The image VDI's other_config key: how many bytes of it the memory stream fills. */
    private static final String SUSPEND_BYTES = "flotilla-suspend-bytes";

    private final Database db;
    private final VmAllowedOperations ops;
    private final CurrentOperations operations;
    private final Domains domains;
    private final Storage storage;
    private final QemuFiles files;
    private final VmStarter starter;
    private final DomainTeardown teardown;
    private final LaunchSpecs specs;
    private final Placement placement;
    /** Where the raw stream lies while it is converted. */
    private final Path tmpDir;

    public SuspendImages(Database db, VmAllowedOperations ops, CurrentOperations operations, Domains domains, Storage storage, QemuFiles files,
                  VmStarter starter, DomainTeardown teardown, LaunchSpecs specs, Placement placement, Path stateDir) {
        this.db = db;
        this.ops = ops;
        this.operations = operations;
        this.domains = domains;
        this.storage = storage;
        this.files = files;
        this.starter = starter;
        this.teardown = teardown;
        this.specs = specs;
        this.placement = placement;
        this.tmpDir = stateDir.resolve("suspend-tmp");
    }

    public void suspend(Call c, Ref<VM> vmRef) {
        operations.run(c, vmRef, VmOperations.suspend, () -> {
            Domain d = domains.running(vmRef);
            Ref<SR> sr = suspendSr(vmRef);
            Path raw = rawFile(d.uuid);
            try {
                long bytes = streamMemory(c, d, raw);
                c.task().progress(0.7);
                d.expectExit();
                d.quit();
                teardown.afterExit(d, VmPowerState.Suspended);
                ops.update(vmRef, VmAllowedOperations.changes().set(VM.suspend_VDI, image(raw, bytes, sr, d.uuid)));
            } finally {
                Files.deleteIfExists(raw);
            }
        });
    }

    /**
     * VM.checkpoint (xapi_vm_snapshot.checkpoint). XAPI suspends a running VM for it and resumes it after; here its
     * QEMU stays: the VM is stopped while its disks are snapshotted and its memory streamed out, then runs on while
     * the stream becomes the snapshot's suspend VDI. A paused VM stays paused; a suspended VM's image is cloned.
     */
    public Ref<VM> checkpoint(Call c, Ref<VM> vmRef, String name, VmCloner cloner) {
        var taken = new AtomicReference<Ref<VM>>();
        operations.run(c, vmRef, VmOperations.checkpoint, () -> {
            DbObject<VM> vm = db.require(vmRef);
            if (vm.get(VM.power_state) == VmPowerState.Suspended) {
                Ref<VDI> image = vm.get(VM.suspend_VDI);
                taken.set(cloner.checkpoint(vmRef, name, () -> storage.cloneVdi(image), c.task()));
                return;
            }
            Domain d = domains.running(vmRef);
            boolean running = vm.get(VM.power_state) == VmPowerState.Running;
            Ref<SR> sr = suspendSr(vmRef);
            Path raw = rawFile(d.uuid);
            if (running) stopFor(d, vmRef);
            long stoppedAt = System.nanoTime();
            var stopped = new AtomicBoolean(running);
            try {
                taken.set(cloner.checkpoint(vmRef, name, () -> {
                    long bytes = savedMemory(c, d, raw);
                    if (stopped.getAndSet(false)) {
                        runOn(d, vmRef);  // before the image is written, the slow part
                        LOG.log(System.Logger.Level.INFO, "VM " + d.uuid + " stood still " + (System.nanoTime() - stoppedAt) / 1_000_000
                                + " ms for its checkpoint (" + (bytes >> 20) + " MiB of memory)");
                    }
                    return image(raw, bytes, sr, d.uuid);
                }, c.task()));
            } finally {
                Files.deleteIfExists(raw);
                if (stopped.get()) runOn(d, vmRef);
            }
        });
        return taken.get();
    }

    private static void stopFor(Domain d, Ref<VM> vmRef) {
        try {
            d.qmp.execute("stop");
        } catch (QmpException e) {
            throw ApiError.of("VM_CHECKPOINT_SUSPEND_FAILED", vmRef.value());
        }
    }

    /** Lets a checkpointed VM run again (QEMU takes its disks back from the stream's end). */
    private static void runOn(Domain d, Ref<VM> vmRef) {
        try {
            d.qmp.execute("cont");
        } catch (QmpException e) {
            LOG.log(System.Logger.Level.WARNING, "VM " + vmRef.value() + " does not run on after its checkpoint: " + e.getMessage());
            throw ApiError.of("VM_CHECKPOINT_RESUME_FAILED", vmRef.value());
        }
    }

    /** {@link #streamMemory} for a checkpoint's memory image, failing only with API errors. */
    private long savedMemory(Call c, Domain d, Path raw) {
        var bytes = new AtomicLong();
        CurrentOperations.runMappingErrors(VmOperations.checkpoint.wire(), () -> bytes.set(streamMemory(c, d, raw)));
        return bytes.get();
    }

    private Path rawFile(String vmUuid) throws IOException {
        Files.createDirectories(tmpDir);
        return tmpDir.resolve(vmUuid + ".raw");
    }

    /** Streams the VM's memory (QEMU's migration stream, the guest stopped at its end) into {@code raw}; its length. */
    private static long streamMemory(Call c, Domain d, Path raw) throws Exception {
        Path sock = d.runDir.resolve("migrate.sock");
        Files.deleteIfExists(sock);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            QemuFiles.give(sock, d.uid);
            Future<Long> copy = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                try (SocketChannel ch = server.accept(); InputStream in = Channels.newInputStream(ch);
                     OutputStream out = Files.newOutputStream(raw)) {
                    return in.transferTo(out);
                }
            });
            c.task().progress(0.1);
            d.qmp.execute("migrate", Map.of("uri", "unix:" + QemuCommand.JAILED.resolve(sock.getFileName())));
            awaitMigration(d);
            return copy.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw ApiError.internal("receiving the VM's memory image failed: " + e.getCause());
        } finally {
            Files.deleteIfExists(sock);
        }
    }

    /** A suspend VDI on {@code sr} holding the {@code bytes} of memory in {@code raw}. */
    private Ref<VDI> image(Path raw, long bytes, Ref<SR> sr, String vmUuid) {
        long size = Math.max(MIB, (bytes + MIB - 1) / MIB * MIB);
        Ref<VDI> vdi = storage.createVdiWhereItBelongs(Rec.empty(VDI.CLASS)
                .set(VDI.SR, sr)
                .set(VDI.name_label, "Suspend image")
                .set(VDI.name_description, "Suspend image of VM " + vmUuid)
                .set(VDI.virtual_size, size)
                .set(VDI.type, VdiType.suspend)
                .set(VDI.other_config, Map.of(SUSPEND_BYTES, Long.toString(bytes))));
        try {
            storage.importRaw(raw, vdi);
        } catch (RuntimeException e) {
            storage.destroyVdiWhereItBelongs(vdi);
            throw e;
        }
        return vdi;
    }

    /** VM.resume ({@code host} null: on the host chosen for it) and VM.resume_on. */
    public void resume(Call c, Ref<VM> vmRef, boolean paused, VmOperations op, Ref<Host> host) {
        operations.run(c, vmRef, op, () -> {
            Placement.Boot boot = () -> load(c, vmRef, paused);
            if (host == null) placement.onChosenHost(c, vmRef, HostAllowedOperations.vm_resume, boot);
            else placement.onNamedHost(c, vmRef, host, HostAllowedOperations.vm_resume, boot);
        });
    }

    /** Boots the VM from its suspend image, then lets the image go. */
    private void load(Call c, Ref<VM> vmRef, boolean paused) throws IOException, InterruptedException {
        DbObject<VM> vm = db.require(vmRef);
        Ref<VDI> vdi = vm.get(VM.suspend_VDI);
        if (vdi.isNull() || !db.exists(vdi)) throw ApiError.of("VM_REQUIRES_VDI", vmRef.value(), vdi.value());
        Files.createDirectories(tmpDir);
        String uuid = vm.get(VM.uuid);
        Path raw = tmpDir.resolve(uuid + ".raw");
        try {
            storage.exportRaw(vdi, raw);
            Path sock = files.runDir(uuid).resolve("incoming.sock");
            c.task().progress(0.3);
            var feeder = Thread.ofVirtual().start(() -> feed(sock, raw));
            try {
                starter.boot(vmRef, paused, "unix:" + QemuCommand.JAILED.resolve(sock.getFileName()));
            } finally {
                feeder.interrupt();
                feeder.join(2000);
            }
        } finally {
            Files.deleteIfExists(raw);
        }
        ops.update(vmRef, VmAllowedOperations.changes().set(VM.suspend_VDI, VDI.CLASS.nullRef()));
        destroyImage(vdi);
    }

    /** hard_shutdown of a suspended VM: it is halted and its image gone. */
    void discard(Ref<VM> vmRef) {
        Ref<VDI> vdi = db.require(vmRef).get(VM.suspend_VDI);
        ops.update(vmRef, VmAllowedOperations.changes().set(VM.power_state, VmPowerState.Halted).set(VM.suspend_VDI, VDI.CLASS.nullRef()));
        if (!vdi.isNull() && db.exists(vdi)) destroyImage(vdi);
    }

    /** The image is no longer the VM's: a failure to destroy it leaves a stray VDI, not a failed operation. */
    private void destroyImage(Ref<VDI> vdi) {
        try { storage.destroyVdiWhereItBelongs(vdi); } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot destroy suspend image " + vdi + ": " + e);
        }
    }

    private static void awaitMigration(Domain d) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            if (MigrationStatus.check(d.qmp, "saving the VM's memory").equals("completed")) return;
            if (System.nanoTime() > deadline) {
                try { d.qmp.execute("migrate_cancel"); } catch (QmpException ignored) { }
                throw ApiError.internal("saving the VM's memory timed out");
            }
            Thread.sleep(10);
        }
    }

    /** The VM's suspend_SR, else the pool's suspend_image_SR, else its default_SR. */
    private Ref<SR> suspendSr(Ref<VM> vmRef) {
        Ref<SR> sr = db.require(vmRef).get(VM.suspend_SR);
        if (!sr.isNull() && db.exists(sr)) return sr;
        for (DbObject<Pool> pool : db.all(Pool.CLASS)) {
            for (Field<Pool, Ref<SR>> f : List.of(Pool.suspend_image_SR, Pool.default_SR)) {
                Ref<SR> s = pool.get(f);
                if (!s.isNull() && db.exists(s)) return s;
            }
        }
        throw ApiError.of("VM_NO_SUSPEND_SR", vmRef.value());
    }

    /** Connects to QEMU's incoming socket once it listens and sends the saved stream. */
    private static void feed(Path sock, Path raw) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            if (Files.exists(sock)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    try (OutputStream out = Channels.newOutputStream(ch); InputStream in = Files.newInputStream(raw)) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // QEMU closes once it has read the end of the stream: trailing padding is not needed
                    }
                    return;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            try { Thread.sleep(5); } catch (InterruptedException e) { return; }
        }
    }
}

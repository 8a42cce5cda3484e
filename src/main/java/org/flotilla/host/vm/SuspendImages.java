package org.flotilla.host.vm;

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
import org.flotilla.api.Call;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Rec;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.qemu.QmpException;
import org.flotilla.storage.Storage;
import org.flotilla.vm.VmOperations;

/**
 * VM.suspend and VM.resume: QEMU's migration stream, over a unix socket, kept between the two as a
 * "suspend" VDI in the VM's suspend SR (raw bytes converted to the SR's format by qemu-img).
 */
final class SuspendImages {
    private static final System.Logger LOG = System.getLogger(SuspendImages.class.getName());
    private static final long MIB = HostMemory.MIB;

    private final Database db;
    private final VmOperations ops;
    private final CurrentOperations operations;
    private final Domains domains;
    private final Storage storage;
    private final QemuFiles files;
    private final VmStarter starter;
    private final DomainTeardown teardown;
    private final LaunchSpecs specs;
    /** Where the raw stream lies while it is converted. */
    private final Path tmpDir;

    SuspendImages(Database db, VmOperations ops, CurrentOperations operations, Domains domains, Storage storage, QemuFiles files,
                  VmStarter starter, DomainTeardown teardown, LaunchSpecs specs, Path stateDir) {
        this.db = db;
        this.ops = ops;
        this.operations = operations;
        this.domains = domains;
        this.storage = storage;
        this.files = files;
        this.starter = starter;
        this.teardown = teardown;
        this.specs = specs;
        this.tmpDir = stateDir.resolve("suspend-tmp");
    }

    void suspend(Call c, String vmRef) {
        operations.run(c, vmRef, "suspend", () -> {
            Domain d = domains.running(vmRef);
            String sr = suspendSr(vmRef);
            Files.createDirectories(tmpDir);
            Path raw = tmpDir.resolve(d.uuid + ".raw");
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
                long bytes = copy.get(5, TimeUnit.MINUTES);
                c.task().progress(0.7);
                d.expectExit = true;
                d.quit();
                teardown.afterExit(d, "Suspended");
                long size = Math.max(MIB, (bytes + MIB - 1) / MIB * MIB);
                String vdi = storage.createVdi(Rec.of(VDI.CLASS, Map.of("SR", sr, "name_label", "Suspend image",
                        "name_description", "Suspend image of VM " + d.uuid, "virtual_size", size, "type", "suspend",
                        "other_config", Map.of("flotilla-suspend-bytes", Long.toString(bytes))))).value();
                try {
                    storage.importRaw(raw, VDI.CLASS.ref(vdi));
                } catch (RuntimeException e) {
                    storage.destroyVdi(VDI.CLASS.ref(vdi));
                    throw e;
                }
                ops.update(vmRef, Map.of("suspend_VDI", vdi));
            } catch (ExecutionException e) {
                throw ApiError.internal("suspend: receiving the memory image failed: " + e.getCause());
            } finally {
                Files.deleteIfExists(raw);
                Files.deleteIfExists(sock);
            }
        });
    }

    void resume(Call c, String vmRef, boolean paused, String op) {
        operations.run(c, vmRef, op, () -> {
            DbObject<?> vm = db.require("VM", vmRef);
            String vdi = vm.string("suspend_VDI");
            if (Refs.isNull(vdi) || db.get("VDI", vdi) == null) throw ApiError.of("VM_REQUIRES_VDI", vmRef, vdi);
            Files.createDirectories(tmpDir);
            Path raw = tmpDir.resolve(vm.uuid() + ".raw");
            try {
                storage.exportRaw(VDI.CLASS.ref(vdi), raw);
                Path sock = files.runDir(vm.uuid()).resolve("incoming.sock");
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
            ops.update(vmRef, Map.of("suspend_VDI", ClassDef.NULL_REF));
            destroyImage(vdi);
        });
    }

    /** hard_shutdown of a suspended VM: it is halted and its image gone. */
    void discard(String vmRef) {
        DbObject<?> vm = db.require("VM", vmRef);
        String vdi = vm.string("suspend_VDI");
        ops.update(vmRef, Map.of("power_state", "Halted", "suspend_VDI", ClassDef.NULL_REF));
        if (!Refs.isNull(vdi) && db.get("VDI", vdi) != null) destroyImage(vdi);
    }

    /** The image is no longer the VM's: a failure to destroy it leaves a stray VDI, not a failed operation. */
    private void destroyImage(String vdi) {
        try { storage.destroyVdi(VDI.CLASS.ref(vdi)); } catch (RuntimeException e) {
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
    private String suspendSr(String vmRef) {
        DbObject<?> vm = db.require("VM", vmRef);
        String sr = vm.string("suspend_SR");
        if (!Refs.isNull(sr) && db.get("SR", sr) != null) return sr;
        for (DbObject<?> pool : db.all("pool")) {
            for (String f : List.of("suspend_image_SR", "default_SR")) {
                String s = pool.string(f);
                if (!Refs.isNull(s) && db.get("SR", s) != null) return s;
            }
        }
        throw ApiError.of("VM_NO_SUSPEND_SR", vmRef);
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

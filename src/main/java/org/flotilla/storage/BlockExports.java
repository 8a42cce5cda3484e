package org.flotilla.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.os.Fd;
import org.flotilla.os.HostCommand;
import org.flotilla.os.Open;
import org.flotilla.os.Spawner;

/**
 * Block nodes served over NBD by a qemu-storage-daemon of the daemon's own (root's, as qemu-img is): at a unix socket
 * in a directory of root's alone, how the daemon reaches disks that no QEMU of a VM serves and that it must not hand
 * qemu-img by a path (a chain of NFS images); or on a TCP socket with TLS, the disks a halted VM's move copies into
 * from another host. The nodes are described in full by the caller, from the pool's records: nothing is opened by a
 * name an image header gives.
 */
public final class BlockExports implements AutoCloseable {
    /** One export: its NBD name, the node it serves, and whether clients may write. */
    public record Export(String name, String node, boolean writable) {}

    private static final String SOCKET = "nbd.sock";
    private static final String MONITOR = "qmp.sock";
    private static final String TLS = "tls";
    private static final Path ENV = Path.of("/usr/bin/env");
    private static final long START_SECONDS = 30;
    private static final long STOP_SECONDS = 10;

    private final long pid;
    private final Path dir;

    private BlockExports(long pid, Path dir) {
        this.pid = pid;
        this.dir = dir;
    }

    /**
     * Starts the storage daemon on {@code blockdevs} (each a {@code -blockdev} JSON description, in the order they
     * refer to each other) and waits until it serves {@code exports}; an IOException says why it did not, with its log.
     */
    public static BlockExports start(List<String> blockdevs, List<Export> exports) throws IOException, InterruptedException {
        Path dir = newDir();
        return launch(dir, blockdevs, "addr.type=unix,addr.path=" + dir.resolve(SOCKET), exports, List.of(), dir.resolve(SOCKET));
    }

    /**
     * Starts the storage daemon on {@code blockdevs} serving {@code exports} over NBD with TLS on {@code listening}, a
     * listening TCP socket of the caller's that it inherits (the caller may close its own copy then), with the
     * credentials it reads at start from {@code tlsDir}, a {@code tls-creds-x509} directory of a server's: for the
     * disks of a halted VM that moves here, which the source's qemu-img writes with the key the directory trusts.
     */
    public static BlockExports startOverTls(List<String> blockdevs, List<Export> exports, Fd listening, Path tlsDir)
            throws IOException, InterruptedException {
        Path dir = newDir();
        Path started = dir.resolve("started");
        return launch(dir, blockdevs, "addr.type=fd,addr.str=" + Spawner.FIRST_INHERITED + ",tls-creds=" + TLS
                        + ",max-connections=" + connectionsFor(exports.size()), exports,
                List.of("--object", "tls-creds-x509,id=" + TLS + ",endpoint=server,verify-peer=on,sanity-check=off,dir=" + tlsDir,
                        "--pidfile", started.toString()), started, listening);
    }

    /**
     * How many clients at once an NBD server on a network port lets in for {@code exports} exports: each client writes
     * one export, and may come once more while its first connection is being given up. Who else knocks holds a place
     * until its TLS handshake fails, so without a bound it could use up the server's descriptors.
     */
    public static int connectionsFor(int exports) { return 2 * Math.max(1, exports); }

    /**
     * Starts the storage daemon on {@code blockdevs} with a QMP monitor at {@link #monitor()}, for a block job of the
     * daemon's own (its NBD server serves nothing, and says that it has started).
     */
    public static BlockExports startWithMonitor(List<String> blockdevs) throws IOException, InterruptedException {
        Path dir = newDir();
        return launch(dir, blockdevs, "addr.type=unix,addr.path=" + dir.resolve(SOCKET), List.of(),
                List.of("--chardev", "socket,id=monitor,path=" + dir.resolve(MONITOR) + ",server=on,wait=off", "--monitor", "chardev=monitor"),
                dir.resolve(SOCKET));
    }

    /** The QMP monitor's unix socket, when started with one. */
    public Path monitor() { return dir.resolve(MONITOR); }

    private static Path newDir() throws IOException {
        return Files.createTempDirectory("flotilla-nbd-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * The storage daemon on {@code blockdevs}, its NBD server at {@code server} serving {@code exports}, with
     * {@code args} and the descriptors {@code inherited} (3, 4, …), once {@code ready} (a file it makes) is there.
     */
    private static BlockExports launch(Path dir, List<String> blockdevs, String server, List<Export> exports, List<String> args, Path ready,
                                       Fd... inherited) throws IOException, InterruptedException {
        // env finds the program in PATH, as a ProcessBuilder would
        var argv = new ArrayList<>(List.of("env", System.getProperty("flotilla.qemu-storage-daemon", "qemu-storage-daemon")));
        argv.addAll(args);
        // read at start, from files of its own directory that go once it serves
        Path secrets = dir.resolve("secrets");
        List<String> named = QemuSecrets.namedIn(String.join("\n", blockdevs));
        try {
            if (!named.isEmpty()) Files.createDirectory(secrets);
            for (String id : named) argv.addAll(List.of("--object", QemuSecrets.object(id, QemuSecrets.write(secrets, id))));
        } catch (IOException e) {
            deleteTree(dir);
            throw e;
        }
        blockdevs.forEach(b -> argv.addAll(List.of("--blockdev", b)));
        argv.addAll(List.of("--nbd-server", server));
        for (Export e : exports) {
            argv.addAll(List.of("--export", "type=nbd,id=export-" + e.name() + ",node-name=" + e.node() + ",name=" + e.name()
                    + ",writable=" + (e.writable() ? "on" : "off")));
        }
        long pid;
        try (Fd in = Open.devNull(); Fd log = Open.appendLog(dir.resolve("log"))) {
            pid = Spawner.spawn(new Spawner.Request(ENV, argv, List.of("PATH=" + HostCommand.PATH), in, log, log, List.of(inherited)));
        } catch (IOException e) {
            deleteTree(dir);
            throw new IOException("qemu-storage-daemon: " + e.getMessage(), e);
        }
        var served = new BlockExports(pid, dir);
        try {
            served.await(ready);
        } catch (IOException | InterruptedException | RuntimeException e) {
            served.close();
            throw e;
        } finally {
            QemuSecrets.remove(secrets);
        }
        return served;
    }

    /** The unix socket its NBD server listens on. */
    public Path socket() { return dir.resolve(SOCKET); }

    /** A qemu-img image description of export {@code name}: the guest's view of the disk, raw, over NBD. */
    public String image(String name) {
        return "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"nbd\",\"export\":\"" + name
                + "\",\"server\":{\"type\":\"unix\",\"path\":\"" + socket() + "\"}}}";
    }

    private void await(Path ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!Files.exists(ready)) {
            if (ended() || System.nanoTime() > deadline) throw new IOException(log());
            Thread.sleep(10);
        }
    }

    /** Whether it has exited (and is reaped: a child the JDK did not start is this class's to collect). */
    private boolean ended() { return Spawner.reap(pid) || ProcessHandle.of(pid).isEmpty(); }

    private String log() {
        try {
            return "qemu-storage-daemon: " + Files.readString(dir.resolve("log"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "qemu-storage-daemon did not start";
        }
    }

    /** Ends the storage daemon (its writes are on disk once it has exited) and removes its directory. */
    @Override
    public void close() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
            while (!ended()) {
                if (System.nanoTime() > deadline) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.getLogger(BlockExports.class.getName()).log(System.Logger.Level.WARNING, "cannot remove " + dir + ": " + e);
        }
    }
}

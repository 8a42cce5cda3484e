package org.flotilla.storage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.os.HostCommand;

/**
 * Block nodes served over NBD by a qemu-storage-daemon of the daemon's own (root's, as qemu-img is), at a unix socket
 * in a directory of root's alone: how the daemon reaches disks that no QEMU of a VM serves and that it must not hand
 * qemu-img by a path, a chain of NFS images or the disks a halted VM's move copies into. The nodes are described in
 * full by the caller, from the pool's records: nothing is opened by a name an image header gives.
 */
public final class BlockExports implements AutoCloseable {
    /** One export: its NBD name, the node it serves, and whether clients may write. */
    public record Export(String name, String node, boolean writable) {}

    private static final String SOCKET = "nbd.sock";
    private static final long START_SECONDS = 30;

    private final Process process;
    private final Path dir;

    private BlockExports(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts the storage daemon on {@code blockdevs} (each a {@code -blockdev} JSON description, in the order they
     * refer to each other) and waits until it serves {@code exports}; an IOException says why it did not, with its log.
     */
    public static BlockExports start(List<String> blockdevs, List<Export> exports) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("flotilla-nbd-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        var cmd = new ArrayList<>(List.of(System.getProperty("flotilla.qemu-storage-daemon", "qemu-storage-daemon")));
        blockdevs.forEach(b -> cmd.addAll(List.of("--blockdev", b)));
        cmd.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + dir.resolve(SOCKET)));
        for (Export e : exports) {
            cmd.addAll(List.of("--export", "type=nbd,id=export-" + e.name() + ",node-name=" + e.node() + ",name=" + e.name()
                    + ",writable=" + (e.writable() ? "on" : "off")));
        }
        Process p;
        try {
            p = HostCommand.of(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        } catch (IOException e) {
            deleteTree(dir);
            throw new IOException("qemu-storage-daemon: " + e.getMessage(), e);
        }
        var served = new BlockExports(p, dir);
        try {
            served.awaitSocket();
        } catch (IOException | InterruptedException | RuntimeException e) {
            served.close();
            throw e;
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

    private void awaitSocket() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!Files.exists(socket())) {
            if (!process.isAlive() || System.nanoTime() > deadline) throw new IOException(log());
            Thread.sleep(10);
        }
    }

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
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
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

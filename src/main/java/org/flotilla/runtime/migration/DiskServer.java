package org.flotilla.runtime.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;
import org.flotilla.runtime.domain.HostFiles;

/**
 * The disks made for a halted VM's move (no QEMU runs it here to serve them): a qemu-storage-daemon of the daemon's,
 * as qemu-img is, that opens them as block nodes and serves each writable over NBD, named after the VM's node for
 * it, at a unix socket in a directory of root's alone.
 */
final class DiskServer {
    private static final String SOCKET = "nbd.sock";
    private static final long START_SECONDS = 30;

    private final Process process;
    private final Path dir;

    private DiskServer(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** Serves {@code nodes} (export name to its block node's JSON description, named so). */
    static DiskServer start(Map<String, String> nodes) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("flotilla-disks-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        var cmd = new ArrayList<>(List.of("qemu-storage-daemon"));
        nodes.forEach((name, node) -> cmd.addAll(List.of("--blockdev", node)));
        cmd.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + dir.resolve(SOCKET)));
        nodes.keySet().forEach(name -> cmd.addAll(List.of("--export", "type=nbd,id=export-" + name + ",node-name=" + name + ",name=" + name + ",writable=on")));
        Process p = HostCommand.of(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        var server = new DiskServer(p, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!Files.exists(dir.resolve(SOCKET))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")).strip() : "";
                server.stop();
                throw ApiError.internal("qemu-storage-daemon did not serve the disks: " + log);
            }
            Thread.sleep(10);
        }
        return server;
    }

    Path socket() { return dir.resolve(SOCKET); }

    /** Ends the daemon (its writes are on disk once it has exited) and removes its directory. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        HostFiles.deleteTree(dir);
    }
}

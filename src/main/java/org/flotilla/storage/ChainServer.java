package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;

/**
 * A chain of NFS images served, for the length of one qemu-img run, by a qemu-storage-daemon that opens it node by node
 * as a VM's QEMU does ({@code -blockdev}, each layer's backing the next node, none below the last) and exports the top
 * over NBD on a unix socket of the daemon's own. qemu-img cannot be given such a chain itself: QEMU 7.2 derives a backing
 * node's filename from the image header whenever the node has no {@code file.filename}, and its nfs driver refuses a
 * filename beside explicit options (and makes a wrong one, the image's own path as its directory); a header name is
 * never to be followed anyway. qemu-img sees the guest's view of the disk, raw.
 */
final class ChainServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPORT = "top";
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;
    private final Path dir;

    private ChainServer(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static ChainServer serve(Storage.Attachment chain, boolean writable) {
        Path dir;
        try {
            dir = Files.createTempDirectory("flotilla-chain", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot make a socket directory: " + e);
        }
        Path socket = dir.resolve("nbd.sock");
        var cmd = new ArrayList<>(List.of(System.getProperty("flotilla.qemu-storage-daemon", "qemu-storage-daemon")));
        var layers = chain.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            ObjectNode n = JSON.createObjectNode().put("driver", layers.get(i).format()).put("node-name", node(i));
            n.set("file", chain.store().fileNode(layers.get(i).file()));
            if (i == layers.size() - 1) n.putNull("backing");
            else n.put("backing", node(i + 1));
            if (i > 0 || !writable) n.put("read-only", true);
            cmd.addAll(List.of("--blockdev", n.toString()));
        }
        cmd.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + socket,
                "--export", "type=nbd,id=" + EXPORT + ",node-name=" + node(0) + ",name=" + EXPORT + ",writable=" + (writable ? "on" : "off")));
        Process p;
        try {
            p = HostCommand.of(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        } catch (IOException e) {
            deleteTree(dir);
            throw ApiError.of("SR_BACKEND_FAILURE", "127", "", "qemu-storage-daemon: " + e.getMessage());
        }
        var server = new ChainServer(p, dir);
        try {
            server.awaitSocket(socket);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The disk as qemu-img opens it: raw, over NBD. */
    String image() {
        ObjectNode n = JSON.createObjectNode().put("driver", "raw");
        ObjectNode nbd = n.putObject("file").put("driver", "nbd").put("export", EXPORT);
        nbd.putObject("server").put("type", "unix").put("path", dir.resolve("nbd.sock").toString());
        return "json:" + n;
    }

    private void awaitSocket(Path socket) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw ApiError.of("SR_BACKEND_FAILURE", process.isAlive() ? "1" : Integer.toString(process.exitValue()), "", log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiError.internal("interrupted while starting qemu-storage-daemon");
            }
        }
    }

    private String log() {
        try {
            return "qemu-storage-daemon: " + Files.readString(dir.resolve("log"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "qemu-storage-daemon did not start";
        }
    }

    private static String node(int i) { return "layer" + i; }

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
            System.getLogger(Storage.class.getName()).log(System.Logger.Level.WARNING, "cannot remove " + dir + ": " + e);
        }
    }
}

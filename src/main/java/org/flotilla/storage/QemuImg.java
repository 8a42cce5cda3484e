package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleConsumer;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;

/**
 * qemu-img, run as a child process, as root, on images that others may have written. So it is never asked to
 * read a header for us (see {@link Qcow2Header}) and never opens an image by a name written in another image:
 * every image it opens is described in full ({@code json:} with the chain the SR's records give and
 * {@code backing: null} at the bottom). A failure becomes SR_BACKEND_FAILURE [status, stdout, stderr], as XAPI
 * reports a failing SM backend.
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String binary;

    public QemuImg(String binary) { this.binary = binary; }

    /** The qemu-img on the PATH, or the one the system property {@code flotilla.qemu-img} names. */
    public static QemuImg system() { return new QemuImg(System.getProperty("flotilla.qemu-img", "qemu-img")); }

    /**
     * A new qcow2 image; over {@code backing} (the file name of an image in the same directory) when not null.
     * The backing file is written into the header, never opened ({@code -u}).
     */
    public void create(SrStore dir, String image, long size, String backing) {
        var args = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (backing != null) args.addAll(List.of("-u", "-b", SrFiles.requirePlainName(backing), "-F", "qcow2"));
        args.add(dir.target(image));
        args.add(Long.toString(size));
        run(args);
        rootOnly(dir, image);
    }

    /**
     * Makes {@code image}'s header name {@code backing} (an image in the same directory) below it, without reading
     * either ({@code -u}): for an image written as one that stands alone, put over another after all.
     */
    public void rebaseUnsafe(SrStore dir, String image, String backing) {
        run(List.of("rebase", "-q", "-u", "-f", "qcow2", "-b", SrFiles.requirePlainName(backing), "-F", "qcow2", dir.target(image)));
    }

    /**
     * A new image is root's alone (qemu-img makes it as the umask says): a VM's QEMU gets a descriptor of it,
     * and no other user — another VM's jail uid least of all — may read it by name.
     */
    private static void rootOnly(SrStore dir, String image) {
        try {
            dir.restrictToOwner(image);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot restrict " + dir.describe(image) + ": " + e.getMessage());
        }
    }

    /** Grows the top image of the chain to {@code size}. */
    public void resize(Storage.Attachment chain, long size) { run(List.of("resize", "-q", json(topOnNfs(chain)), Long.toString(size))); }

    /** Copies every block the chain {@code src} shows into a new qcow2 {@code dst}. */
    public void convert(Storage.Attachment src, SrStore dir, String dst) {
        try (Opened in = open(src, false)) {
            run(List.of("convert", "-q", "-O", "qcow2", in.image(), dir.target(dst)));
        }
        rootOnly(dir, dst);
    }

    /** Writes zeros over all of a single raw image (an extent, which may hold a destroyed VDI's bytes). */
    public void zero(Storage.Attachment dst) {
        ObjectNode top = node(dst);
        long size = top.path("file").path("size").asLong();
        ObjectNode zeros = JSON.createObjectNode().put("driver", "raw");
        zeros.putObject("file").put("driver", "null-co").put("size", size).put("read-zeroes", true);
        run(List.of("convert", "-q", "-n", "-O", "raw", "json:" + zeros, "json:" + top));
    }

    /** Copies every block the chain {@code src} shows into the existing chain {@code dst} (its top image). */
    public void convertInto(Storage.Attachment src, Storage.Attachment dst) {
        try (Opened in = open(src, false); Opened out = open(dst, true)) {
            run(List.of("convert", "-q", "-n", "-O", out.format(), in.image(), out.image()));
        }
    }

    /** Copies a raw file of the daemon's into the existing chain {@code dst} (its top image). */
    public void fromRaw(Path raw, Storage.Attachment dst) {
        try (Opened out = open(dst, true)) {
            run(List.of("convert", "-q", "-n", "-f", "raw", "-O", out.format(), raw.toString(), out.image()));
        }
    }

    /**
     * Copies the image {@code source} (a block node described in full by the caller, e.g. an imported VMDK) into the
     * new chain {@code dst}. A new single qcow2 image reads as zeros, so the source's holes are not written there.
     */
    public void fromNode(ObjectNode source, Storage.Attachment dst, DoubleConsumer progress) {
        convertNode(source, dst, dst.layers().size() == 1 && dst.format().equals("qcow2"), progress);
    }

    /**
     * Copies the image {@code source} (described in full by the caller) over the existing chain {@code dst}: what the
     * source does not hold is written as zeros there (qcow2 zero clusters, not data), so the chain shows the source alone.
     */
    public void overwrite(ObjectNode source, Storage.Attachment dst, DoubleConsumer progress) { convertNode(source, dst, false, progress); }

    private void convertNode(ObjectNode source, Storage.Attachment dst, boolean targetIsZero, DoubleConsumer progress) {
        try (Opened out = open(dst, true)) {
            // -p: qemu-img prints "(n.nn/100%)" as it goes, which becomes the caller's progress
            var args = new ArrayList<>(List.of("convert", "-p", "-n"));
            if (targetIsZero) args.add("--target-is-zero");
            args.addAll(List.of("-O", out.format(), "json:" + source, out.image()));
            run(args, progress);
        }
    }

    /** Copies every block the chain {@code src} shows into a new raw file of the daemon's. */
    public void toRaw(Storage.Attachment src, Path raw) {
        try (Opened in = open(src, false)) {
            run(List.of("convert", "-q", "-O", "raw", in.image(), raw.toString()));
        }
        rootOnly(new LocalDir(raw.getParent()), raw.getFileName().toString());
    }

    /**
     * Commits the top image of {@code chain} (a temporary overlay) into the image below it, leaving the overlay for the
     * caller to remove.
     */
    public void commit(Storage.Attachment chain) {
        if (chain.store() instanceof NfsDir) ChainServer.commit(chain);
        else run(List.of("commit", "-q", "-d", json(chain)));
    }

    /** {@code qemu-img map --output=json} of {@code length} bytes from {@code start} of an image description of the daemon's. */
    String map(String image, long start, long length) {
        return run(List.of("map", "--output=json", "--start-offset=" + start, "--max-length=" + length, image));
    }

    /**
     * The byte ranges, as {start, length}, that the single image {@code image} holds itself (data or zeros written
     * there), none of a backing file's: what was written to it while it was a disk's top. Read with force-share: a
     * running VM's QEMU may still hold the image open, as a backing node it no longer writes.
     */
    List<long[]> ownRanges(SrStore dir, String image) {
        var single = new Storage.Attachment(dir, List.of(new Storage.Layer(image, "qcow2")), true);
        var out = new ArrayList<long[]>();
        try {
            for (var e : JSON.readTree(run(List.of("map", "-U", "--output=json", json(single))))) {
                if (e.path("present").asBoolean(e.path("data").asBoolean())) out.add(new long[] {e.path("start").asLong(), e.path("length").asLong()});
            }
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "qemu-img map of " + dir.describe(image) + " gave no JSON: " + e.getMessage());
        }
        return out;
    }

    /** A chain as one qemu-img run opens it: its description and format, and the server to stop afterwards, if any. */
    private record Opened(String image, String format, ChainServer server) implements AutoCloseable {
        @Override public void close() { if (server != null) server.close(); }
    }

    /** A chain of several images on NFS goes through a {@link ChainServer}; any other is described to qemu-img in full. */
    private static Opened open(Storage.Attachment a, boolean writable) {
        if (a.store() instanceof NfsDir && a.layers().size() > 1) {
            ChainServer server = ChainServer.serve(a, writable);
            return new Opened(server.image(), "raw", server);
        }
        return new Opened(json(a), a.format(), null);
    }

    /**
     * What a resize opens: on NFS the top image alone (a chain there cannot be described to qemu-img, see ChainServer),
     * which is all a resize changes; the backing file its header names stays as it was.
     */
    private static Storage.Attachment topOnNfs(Storage.Attachment a) {
        if (!(a.store() instanceof NfsDir)) return a;
        return new Storage.Attachment(a.store(), List.of(a.layers().getFirst()), a.readOnly());
    }

    /** The chain as one {@code json:} image description: each layer's file and driver, its backing the next, none below the last. */
    static String json(Storage.Attachment a) { return "json:" + node(a); }

    /** The chain as one block node description, as {@code -blockdev} and qemu-storage-daemon take it. */
    static ObjectNode node(Storage.Attachment a) {
        ObjectNode below = null;
        var layers = a.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Storage.Layer l = layers.get(i);
            ObjectNode n = JSON.createObjectNode();
            n.put("driver", l.format());
            n.set("file", a.store().fileNode(l.file()));
            if (l.format().equals("qcow2")) n.set("backing", below == null ? NullNode.getInstance() : below);
            else if (below != null) throw new IllegalArgumentException("a " + l.format() + " image has no backing file");
            below = n;
        }
        return below;
    }

    /**
     * Copies every block the chain {@code src} shows into the NBD export {@code to} (a disk made elsewhere, of the
     * same size), over TCP with TLS.
     */
    public void convertToNbd(Storage.Attachment src, NbdTarget to) {
        run(List.of("convert", "-q", "-n",
                "--object", "tls-creds-x509,id=tls,endpoint=client,verify-peer=on,sanity-check=off,dir=" + to.tlsDir(),
                json(src), "--target-image-opts", "driver=nbd,server.type=inet,server.host=" + to.address() + ",server.port=" + to.port()
                        + ",server.keep-alive=on,export=" + to.export() + ",tls-creds=tls,tls-hostname=" + to.tlsHostname()));
    }

    private String run(List<String> args) { return run(args, null); }

    /** Runs qemu-img; with {@code progress}, its {@code -p} output is read as it comes and passed on as a fraction. */
    private String run(List<String> args, DoubleConsumer progress) {
        try (var secrets = QemuSecrets.ForProgram.of(args)) {
            var cmd = new ArrayList<String>();
            cmd.add(binary);
            cmd.add(args.getFirst()); // the subcommand, which takes the objects
            cmd.addAll(secrets.options());
            cmd.addAll(args.subList(1, args.size()));
            return runCommand(cmd, progress);
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot give qemu-img its secrets: " + e.getMessage());
        }
    }

    private String runCommand(List<String> cmd, DoubleConsumer progress) {
        Process p;
        try {
            p = HostCommand.of(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "127", "", binary + ": " + e.getMessage());
        }
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        String out;
        try {
            out = progress == null ? read(p.getInputStream()) : readProgress(p.getInputStream(), progress);
        } catch (RuntimeException e) {
            // the caller's progress threw (its task was cancelled, say): qemu-img stops with it
            p.destroyForcibly();
            throw e;
        }
        int status;
        try {
            status = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while running qemu-img");
        }
        if (status != 0) throw ApiError.of("SR_BACKEND_FAILURE", Integer.toString(status), out.strip(), err.join().strip());
        return out;
    }

    private static final java.util.regex.Pattern PROGRESS = java.util.regex.Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");

    /** Reads qemu-img's {@code -p} output, lines ended by CR, each percentage passed on; returns what else it printed. */
    static String readProgress(InputStream in, DoubleConsumer progress) {
        var rest = new StringBuilder();
        var line = new StringBuilder();
        try (in) {
            for (int c; (c = in.read()) >= 0; ) {
                if (c != '\r' && c != '\n') {
                    line.append((char) c);
                    continue;
                }
                var m = PROGRESS.matcher(line);
                if (m.find()) progress.accept(Double.parseDouble(m.group(1)) / 100);
                else if (!line.isEmpty()) rest.append(line).append('\n');
                line.setLength(0);
            }
        } catch (IOException e) {
            // the process's end says how it went
        }
        return rest.append(line).toString();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

package org.flotilla.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.flotilla.model.ApiError;
import org.flotilla.os.HostCommand;

/**
 * qemu-img, run as a child process. A failure becomes SR_BACKEND_FAILURE [status, stdout, stderr], as
 * XAPI reports a failing SM backend.
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String binary;

    public QemuImg(String binary) { this.binary = binary; }

    /** The qemu-img on the PATH, or the one the system property {@code flotilla.qemu-img} names. */
    public static QemuImg system() { return new QemuImg(System.getProperty("flotilla.qemu-img", "qemu-img")); }

    /** What qemu-img info says about an image. {@code backing} is the backing file as written in the header, or null. */
    public record Info(String format, long virtualSize, long actualSize, String backing) {}

    public Info info(Path image) {
        JsonNode n;
        try {
            // -U: a running VM may hold the image; reading its header is safe.
            n = JSON.readTree(run(List.of("info", "-U", "--output=json", image.toString())));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "qemu-img info: unreadable output: " + e.getMessage());
        }
        String backing = n.hasNonNull("backing-filename") ? n.get("backing-filename").asText() : null;
        return new Info(n.path("format").asText(), n.path("virtual-size").asLong(), n.path("actual-size").asLong(), backing);
    }

    /** A new qcow2 image; over {@code backing} (a file name relative to the image's directory) when not null. */
    public void create(Path image, long size, String backing) {
        var args = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (backing != null) args.addAll(List.of("-u", "-b", backing, "-F", "qcow2"));
        args.add(image.toString());
        args.add(Long.toString(size));
        run(args);
        rootOnly(image);
    }

    /**
     * A new image is root's alone (qemu-img makes it as the umask says): a VM's QEMU gets a descriptor of it,
     * and no other user — another VM's jail uid least of all — may read it by name.
     */
    private static void rootOnly(Path image) {
        try {
            Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot restrict " + image + ": " + e.getMessage());
        }
    }

    public void resize(Path image, long size) { run(List.of("resize", "-q", "-f", "qcow2", image.toString(), Long.toString(size))); }

    /** Copies every block of {@code src} (any format) into a new qcow2 {@code dst}, or into an existing one. */
    public void convert(Path src, String srcFormat, Path dst, boolean intoExisting) {
        var args = new ArrayList<>(List.of("convert", "-q", "-f", srcFormat, "-O", "qcow2"));
        if (intoExisting) args.add("-n");
        args.add(src.toString());
        args.add(dst.toString());
        run(args);
        if (!intoExisting) rootOnly(dst);
    }

    private String run(List<String> args) {
        var cmd = new ArrayList<String>();
        cmd.add(binary);
        cmd.addAll(args);
        Process p;
        try {
            p = HostCommand.of(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "127", "", binary + ": " + e.getMessage());
        }
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        String out = read(p.getInputStream());
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

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

package org.flotilla.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.function.DoubleConsumer;
import org.flotilla.api.TaskContext;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.storage.qcow2.Qcow2Tables;

/**
 * A qcow2 image sent to {@code /import_raw_vdi?format=qcow2}, untrusted: staged whole as a temporary file in a
 * directory of root's (the VDI's SR when it is a local directory, so the space is the SR's), then checked by the daemon
 * itself ({@link Qcow2Header}: no backing file, no external data file, no encryption, no unknown incompatible feature;
 * {@link Qcow2Tables}: every table and cluster inside the file, none used twice; a virtual size the VDI holds), and only
 * then read by qemu-img, the driver pinned and no backing ({@code json:}), so the format is never probed and no other
 * file is ever opened. The staged file goes when this is closed. Memory: one buffer, whatever the image's size.
 */
final class Qcow2Upload implements AutoCloseable {
    private static final int BUFFER = 1 << 20;
    /** Zeros are not written into the staged copy: it stays as sparse as the data lets it. */
    private static final int ZERO_GRAIN = 64 << 10;
    private static final byte[] ZEROS = new byte[ZERO_GRAIN];

    private final LocalDir dir;
    private final String name;
    private final long length;

    private Qcow2Upload(LocalDir dir, String name, long length) {
        this.dir = dir;
        this.name = name;
        this.length = length;
    }

    /**
     * Writes {@code body} ({@code declared} bytes, or -1 if unknown) into a new temporary file of {@code dir}, reporting
     * the fraction received to {@code progress}. SR_FULL when it does not fit in the space the file system has free; a
     * body shorter than declared throws what reading it threw, or IMPORT_ERROR_PREMATURE_EOF.
     */
    static Qcow2Upload stage(InputStream body, long declared, LocalDir dir, TaskContext task, DoubleConsumer progress) throws IOException {
        long room = dir.space().free();
        if (declared > room) throw ApiError.of("SR_FULL", Long.toString(declared), Long.toString(room));
        String name = HeldTemporaries.hold("upload");
        var upload = new Qcow2Upload(dir, name, 0);
        try (FileChannel out = FileChannel.open(dir.file(name), java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            byte[] buf = new byte[BUFFER];
            long at = 0;
            for (int n; (n = body.readNBytes(buf, 0, buf.length)) > 0; at += n) {
                if (at + n > room) throw ApiError.of("SR_FULL", Long.toString(at + n), Long.toString(room));
                task.checkCancelled();
                writeSparse(out, at, buf, n);
                if (declared > 0) progress.accept((double) (at + n) / declared);
            }
            if (declared >= 0 && at < declared) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
            // a hole at the end is still length
            if (out.size() < at) out.write(ByteBuffer.wrap(new byte[1]), at - 1);
            return new Qcow2Upload(dir, name, at);
        } catch (IOException | RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    private static void writeSparse(FileChannel out, long at, byte[] buf, int n) throws IOException {
        for (int off = 0; off < n; off += ZERO_GRAIN) {
            int len = Math.min(ZERO_GRAIN, n - off);
            if (Arrays.equals(buf, off, off + len, ZEROS, 0, len)) continue;
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            while (b.hasRemaining()) out.write(b, at + b.position());
        }
    }

    /**
     * Checks the staged image before anything reads it as qcow2: IMPORT_ERROR with the reason when it is not one, is
     * broken or names another file; VDI_TOO_SMALL when its virtual size exceeds {@code size}, that of {@code vdi}.
     */
    Qcow2Tables.Summary check(Ref<VDI> vdi, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.file(name), StandardOpenOption.READ)) {
            Qcow2Header h = UntrustedImages.qcow2Header(ch);
            if (h.virtualSize() > size) throw ApiError.of("VDI_TOO_SMALL", vdi.value(), Long.toString(h.virtualSize()));
            return Qcow2Tables.check(ch);
        } catch (UntrustedImages.Refused | Qcow2Tables.Broken e) {
            throw refused(e.getMessage());
        }
    }

    private ApiError refused(String why) { return ApiError.of("IMPORT_ERROR", "the qcow2 image of " + length + " bytes: " + why); }

    /** The staged image as qemu-img opens it: qcow2 and nothing else, its own file, no backing. */
    ObjectNode node() { return UntrustedImages.pinned("qcow2", dir.fileNode(name)); }

    @Override
    public void close() {
        dir.deleteQuietly(name);
        HeldTemporaries.release(name);
    }
}

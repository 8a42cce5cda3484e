package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's own qcow2 header reader, on images qemu-img made and on headers bent the way an attacker would. */
class Qcow2HeaderTest {
    private static final int MIB = 1 << 20;
    @TempDir Path dir;

    private Path made(String name, String... options) {
        Path f = dir.resolve(name);
        var cmd = new java.util.ArrayList<>(java.util.List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        cmd.addAll(java.util.List.of(options));
        cmd.add(f.toString());
        cmd.add(Integer.toString(5 * MIB));
        OnALocalSr.run(cmd.toArray(String[]::new));
        return f;
    }

    private static Qcow2Header read(Path f) throws Exception {
        try (var ch = FileChannel.open(f)) { return Qcow2Header.read(ch); }
    }

    /** A copy of {@code f} with its header bytes changed by {@code edit}. */
    private Path bent(Path f, Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
        edit.accept(b);
        Path out = dir.resolve("bent-" + System.nanoTime());
        Files.write(out, b.array());
        return out;
    }

    private static String malformed(Path f) {
        return assertThrows(Qcow2Header.Malformed.class, () -> read(f)).getMessage();
    }

    @Test
    void imagesQemuImgMakesAreReadAsQemuReadsThem() throws Exception {
        Qcow2Header plain = read(made("plain.qcow2"));
        assertEquals(3, plain.version());
        assertEquals(5L * MIB, plain.virtualSize());
        assertNull(plain.backingFile());
        assertNull(plain.refusal());

        Qcow2Header overlay = read(made("v2.qcow2", "-o", "compat=0.10", "-u", "-b", "base.qcow2", "-F", "qcow2"));
        assertEquals(2, overlay.version());
        assertEquals("base.qcow2", overlay.backingFile());
        assertEquals("qcow2", overlay.backingFormat());
        assertNull(overlay.refusal());

        Qcow2Header absolute = read(made("abs.qcow2", "-u", "-b", "/etc/shadow", "-F", "qcow2"));
        assertEquals("/etc/shadow", absolute.backingFile(), "the name as written: judging it is the SR's business");
    }

    @Test
    void imagesThatWouldMakeQemuOpenAnotherFileAreRefused() throws Exception {
        Path data = dir.resolve("outside.raw");
        assertTrue(read(made("data.qcow2", "-o", "data_file=" + data)).refusal().contains("external data file"));
        assertTrue(read(made("raw-backing.qcow2", "-u", "-b", "base.img", "-F", "raw")).refusal().contains("raw"));
        Path plain = made("plain.qcow2");
        assertTrue(read(bent(plain, b -> b.putInt(32, 1))).refusal().contains("encrypted"), "crypt_method AES");
        // the external data file bit alone, and a bit QEMU does not know
        assertTrue(read(bent(plain, b -> b.putLong(72, b.getLong(72) | 4))).refusal().contains("external data file"));
        assertTrue(read(bent(plain, b -> b.putLong(72, b.getLong(72) | (1L << 40)))).refusal().contains("unknown"));
    }

    @Test
    void bentHeadersAreMalformedNotFollowed() throws Exception {
        Path plain = made("plain.qcow2");
        Path overlay = made("overlay.qcow2", "-u", "-b", "base.qcow2", "-F", "qcow2");
        assertTrue(malformed(bent(plain, b -> b.putInt(0, 0x12345678))).contains("not a qcow2"));
        assertTrue(malformed(bent(plain, b -> b.putInt(4, 4))).contains("version"));
        assertTrue(malformed(bent(plain, b -> b.putInt(20, 30))).contains("cluster_bits"));
        assertTrue(malformed(bent(plain, b -> b.putLong(24, -MIB))).contains("virtual size"));
        assertTrue(malformed(bent(overlay, b -> b.putLong(8, 1L << 40))).contains("outside the header"));
        assertTrue(malformed(bent(overlay, b -> b.putInt(16, 5000))).contains("length"));
        assertTrue(malformed(bent(overlay, b -> b.putInt(16, -1))).contains("length"));
        long nameAt = ByteBuffer.wrap(Files.readAllBytes(overlay)).getLong(8);
        assertTrue(malformed(bent(overlay, b -> b.put((int) nameAt, (byte) 0xff))).contains("UTF-8"));
        assertTrue(malformed(bent(overlay, b -> b.put((int) nameAt + 2, (byte) 0))).contains("NUL"));
        // the first header extension claims more bytes than the first cluster has
        int extAt = ByteBuffer.wrap(Files.readAllBytes(plain)).getInt(100);
        assertTrue(malformed(bent(plain, b -> b.putInt(extAt + 4, 0x7fffffff))).contains("too large"));
        // a long run of empty extensions: a bound on the walk, not a loop over the whole cluster
        assertTrue(malformed(bent(plain, b -> {
            for (int i = 0; i < 100; i++) b.putLong(extAt + 8 * i, 0x0000_00ff_0000_0000L);
        })).contains("header extensions"));

        Path truncated = dir.resolve("truncated");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(overlay), 60));
        assertTrue(malformed(truncated).contains("not a qcow2"));
        Path empty = Files.createFile(dir.resolve("empty"));
        assertTrue(malformed(empty).contains("not a qcow2"));
    }
}

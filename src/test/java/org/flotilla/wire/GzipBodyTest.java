package org.flotilla.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * A compressed reply is stitched from records deflated on their own at other times and runs compressed now: it must
 * inflate, through a stock gzip reader that checks the CRC and length, to exactly the body it stands for.
 */
class GzipBodyTest {
    private final Random random = new Random(14);

    @Test
    void keptAndFreshPiecesInflateToTheBody() throws IOException {
        var record = new KeptBytes(text(10_000));
        var noise = new KeptBytes(noise(100_000));
        var body = new ChunkedBytes();
        body.write("<methodResponse>".getBytes(UTF_8));
        body.writeKept(record);
        body.write(text(200_000)); // more than one chunk and more than the deflater's buffer
        body.writeKept(record);
        body.writeKept(noise); // incompressible: stored blocks
        body.writeKept(new KeptBytes(new byte[0]));
        body.writeKept(record);
        body.write("…</methodResponse>".getBytes(UTF_8));

        assertArrayEquals(body.toByteArray(), inflate(GzipBody.of(body)));
        var deflated = record.deflated(new Deflater());
        // again, now that every kept piece has its deflated form: the same bytes, and the record deflated only once
        assertArrayEquals(body.toByteArray(), inflate(GzipBody.of(body)));
        assertSame(deflated, record.deflated(new Deflater()));
    }

    @Test
    void bodiesOfOnlyKeptOrOnlyFreshBytesOrNothing() throws IOException {
        var kept = new ChunkedBytes();
        kept.writeKept(new KeptBytes(text(5_000)));
        kept.writeKept(new KeptBytes(text(7_000)));
        assertArrayEquals(kept.toByteArray(), inflate(GzipBody.of(kept)));

        var fresh = new ChunkedBytes();
        fresh.write(text(70_000));
        assertArrayEquals(fresh.toByteArray(), inflate(GzipBody.of(fresh)));

        assertArrayEquals(new byte[0], inflate(GzipBody.of(new ChunkedBytes())));
    }

    @Test
    void smallRunsBetweenRecordsAndOneJustOverTheStoredSize() throws IOException {
        var body = new ChunkedBytes();
        for (int i = 0; i < 300; i++) {
            body.write(("<member><name>OpaqueRef:" + i + "</name>").getBytes(UTF_8));
            body.writeKept(new KeptBytes(text(500 + i)));
            body.write("</member>".getBytes(UTF_8));
        }
        body.write(text(4095));
        body.write(text(2));
        body.writeKept(new KeptBytes(text(10)));
        body.write(text(4096));
        assertArrayEquals(body.toByteArray(), inflate(GzipBody.of(body)));
    }

    @Test
    void repeatedRecordsCompressWell() throws IOException {
        var body = new ChunkedBytes();
        for (int i = 0; i < 1000; i++) body.writeKept(new KeptBytes(("<value><struct><member><name>uuid</name><value>" + i
                + "</value></member><member><name>name_label</name><value>vm " + i + "</value></member></struct></value>").repeat(20).getBytes(UTF_8)));
        byte[] gz = GzipBody.of(body).toByteArray();
        assertArrayEquals(body.toByteArray(), inflate(GzipBody.of(body)));
        assertTrue(gz.length * 5 < body.length(), gz.length + " bytes for " + body.length());
    }

    @Test
    void combinedCrcIsTheCrcOfTheWhole() {
        for (int round = 0; round < 50; round++) {
            byte[] a = noise(random.nextInt(3) == 0 ? 0 : random.nextInt(100_000));
            byte[] b = noise(random.nextInt(3) == 0 ? 0 : random.nextInt(100_000));
            byte[] both = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            assertEquals(crc(both), Crc32Combine.combine(crc(a), crc(b), Crc32Combine.shift(b.length)));
            assertEquals(crc(both), Crc32Combine.extend(crc(a), java.nio.ByteBuffer.wrap(both, a.length, b.length)));
        }
    }

    private static byte[] inflate(ChunkedBytes gzip) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzip.toByteArray()))) {
            return in.readAllBytes();
        }
    }

    private static int crc(byte[] bytes) {
        var crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private byte[] text(int length) {
        var s = new StringBuilder();
        while (s.length() < length) s.append("<member><name>field").append(random.nextInt(200)).append("</name><value>é ").append(random.nextInt()).append("</value></member>");
        return s.substring(0, length).getBytes(UTF_8);
    }

    private byte[] noise(int length) {
        var bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}

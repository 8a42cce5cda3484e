package org.flotilla.wire;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * An encoding that replies share and no one changes (a record's, kept in its memo), and, once a reply that is
 * compressed has carried it, the same bytes deflated on their own, so that the next compressed reply copies them
 * instead of compressing again (see {@link GzipBody}).
 */
final class KeptBytes {
    final byte[] plain;
    private volatile Deflated deflated;

    KeptBytes(byte[] plain) { this.plain = plain; }

    /**
     * Deflated blocks that need no byte before them and leave the stream on a byte boundary, so that they can stand
     * anywhere in a deflate stream; with the CRC-32 and its {@link Crc32Combine#shift} of the plain bytes.
     */
    record Deflated(byte[] bytes, int crc, int shift) {}

    /** The deflated form, made with {@code deflater} (which it resets) the first time it is asked for. */
    Deflated deflated(Deflater deflater) {
        Deflated d = deflated;
        if (d == null) {
            var crc = new CRC32();
            crc.update(plain);
            // racing replies each make the same bytes; one is kept
            deflated = d = new Deflated(GzipBody.deflateAlone(deflater, plain), (int) crc.getValue(), Crc32Combine.shift(plain.length));
        }
        return d;
    }
}

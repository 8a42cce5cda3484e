package org.flotilla.db.file;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The framing of every record on disk: {@code [u32 length][u32 CRC32C][payload]}, big-endian, the
 * checksum covering the length bytes and the payload. A crash mid-write leaves a frame that runs past
 * the end of the file (torn); damage leaves one whose checksum fails (corrupt).
 */
public final class Frames {
    public static final int HEADER_BYTES = 8;
    /** Larger than any sane record; a larger length can only be damage, so never allocate it. */
    public static final int MAX_PAYLOAD = 256 << 20;

    private Frames() {}

    public static ByteBuffer frame(byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        b.putInt(payload.length);
        b.putInt(crc(payload.length, payload));
        b.put(payload);
        return b.flip();
    }

    private static int crc(int length, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(0, length));
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** What is found at one position of a file. */
    public sealed interface Read {
        /** A whole, intact frame; the next one starts at {@code next}. */
        record Record(long offset, byte[] payload, long next) implements Read {}
        /** Clean end of file. */
        record End(long offset) implements Read {}
        /** A frame cut short by the end of the file: what a crash during append leaves. */
        record Torn(long offset, String why) implements Read {}
        /** A frame that is all there but wrong: damage, not a crash. */
        record Corrupt(long offset, String why) implements Read {}
    }

    /** Reads the frame at {@code offset} of a file {@code size} bytes long. */
    public static Read read(FileChannel ch, long offset, long size) throws IOException {
        if (offset == size) return new Read.End(offset);
        if (size - offset < HEADER_BYTES) return new Read.Torn(offset, "frame header cut short");
        ByteBuffer header = readFully(ch, offset, HEADER_BYTES);
        int length = header.getInt(0);
        int expectedCrc = header.getInt(4);
        if (length <= 0 || length > MAX_PAYLOAD) return new Read.Corrupt(offset, "impossible record length " + length);
        if (size - offset - HEADER_BYTES < length) return new Read.Torn(offset, "record cut short");
        byte[] payload = readFully(ch, offset + HEADER_BYTES, length).array();
        if (crc(length, payload) != expectedCrc) return new Read.Corrupt(offset, "checksum mismatch");
        return new Read.Record(offset, payload, offset + HEADER_BYTES + length);
    }

    public static ByteBuffer readFully(FileChannel ch, long offset, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) throw new EOFException("end of file at " + (offset + b.position()));
        }
        return b.flip();
    }

    public static void writeFully(FileChannel ch, ByteBuffer b, long offset) throws IOException {
        long at = offset;
        while (b.hasRemaining()) at += ch.write(b, at);
    }
}

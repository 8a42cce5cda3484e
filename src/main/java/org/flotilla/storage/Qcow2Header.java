package org.flotilla.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What the daemon needs from a qcow2 header, read by the daemon itself (QEMU's docs/interop/qcow2.txt):
 * never by {@code qemu-img info}, which would open the backing and data files the header names. Every
 * offset and length is checked against the first cluster and the file before it is used, so a crafted
 * header costs a few bounded reads at most.
 *
 * @param backingFile   the backing file name exactly as written, or null
 * @param backingFormat the backing file format extension, or null
 * @param refusal       why the daemon will not use the image whatever its chain (external data file,
 *                      encryption, features it does not know), or null
 */
record Qcow2Header(int version, long virtualSize, String backingFile, String backingFormat, String refusal) {
    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    /** QEMU's limit for a backing file name. */
    static final int MAX_BACKING_NAME = 1023;

    private static final int V2_LENGTH = 72;
    private static final int V3_MIN_LENGTH = 104;
    private static final int MIN_CLUSTER_BITS = 9;
    private static final int MAX_CLUSTER_BITS = 21;
    private static final long INCOMPATIBLE_EXTERNAL_DATA = 1L << 2;
    /** dirty, corrupt, external data file, compression type, extended L2: all QEMU 7 knows. */
    private static final long INCOMPATIBLE_KNOWN = 0x1f;
    private static final int EXT_END = 0;
    private static final int EXT_BACKING_FORMAT = 0xe2792aca;
    private static final int EXT_DATA_FILE = 0x44415441;
    private static final int EXT_ENCRYPTION = 0x0537be77;
    /** More header extensions than any image QEMU writes has: a bound on the walk, not a format rule. */
    private static final int MAX_EXTENSIONS = 64;

    /** The image cannot be read as qcow2 at all; the message says where. */
    static final class Malformed extends Exception {
        Malformed(String message) { super(message, null, false, false); }
    }

    static Qcow2Header read(SeekableByteChannel ch) throws IOException, Malformed {
        long fileSize = ch.size();
        ByteBuffer h = readAt(ch, 0, (int) Math.min(V3_MIN_LENGTH, fileSize));
        if (h.limit() < V2_LENGTH || h.getInt(0) != MAGIC) throw new Malformed("not a qcow2 image");
        int version = h.getInt(4);
        if (version != 2 && version != 3) throw new Malformed("qcow2 version " + Integer.toUnsignedString(version) + " is not 2 or 3");
        long backingOffset = h.getLong(8);
        int backingSize = h.getInt(16);
        int clusterBits = h.getInt(20);
        long size = h.getLong(24);
        int cryptMethod = h.getInt(32);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) throw new Malformed("cluster_bits " + clusterBits + " out of range");
        long clusterSize = 1L << clusterBits;
        if (size < 0) throw new Malformed("virtual size beyond 2^63");

        long incompatible = 0;
        long headerLength = V2_LENGTH;
        if (version == 3) {
            if (h.limit() < V3_MIN_LENGTH) throw new Malformed("qcow2 v3 header truncated");
            incompatible = h.getLong(72);
            headerLength = Integer.toUnsignedLong(h.getInt(100));
            if (headerLength < V3_MIN_LENGTH || headerLength % 8 != 0 || headerLength > clusterSize) {
                throw new Malformed("header_length " + headerLength + " is invalid");
            }
        }
        String backing = backingName(ch, backingOffset, backingSize, clusterSize, fileSize);
        // QEMU reads extensions up to the backing file name, or to the end of the first cluster
        Extensions ext = extensions(ch, headerLength, backingOffset != 0 ? backingOffset : clusterSize, fileSize);

        String refusal = null;
        if ((incompatible & INCOMPATIBLE_EXTERNAL_DATA) != 0 || ext.dataFile) refusal = "it keeps its data in an external data file";
        else if ((incompatible & ~INCOMPATIBLE_KNOWN) != 0) refusal = "incompatible features 0x" + Long.toHexString(incompatible) + " are unknown";
        else if (cryptMethod != 0 || ext.encrypted) refusal = "it is encrypted";
        else if (backing != null && ext.backingFormat != null && !ext.backingFormat.equals("qcow2")) {
            refusal = "its backing file is declared " + ext.backingFormat + ", not qcow2";
        }
        return new Qcow2Header(version, size, backing, ext.backingFormat, refusal);
    }

    private static String backingName(SeekableByteChannel ch, long offset, int size, long clusterSize, long fileSize)
            throws IOException, Malformed {
        if (offset == 0) return null;
        if (size <= 0 || size > MAX_BACKING_NAME) throw new Malformed("backing file name length " + Integer.toUnsignedString(size) + " out of range");
        if (offset < 0 || offset + size > clusterSize || offset + size > fileSize) throw new Malformed("backing file name lies outside the header");
        String name = text(readAt(ch, offset, size), "backing file name");
        if (name.indexOf('\0') >= 0) throw new Malformed("backing file name holds a NUL");
        return name;
    }

    private record Extensions(String backingFormat, boolean dataFile, boolean encrypted) {}

    private static Extensions extensions(SeekableByteChannel ch, long start, long end, long fileSize) throws IOException, Malformed {
        String backingFormat = null;
        boolean dataFile = false;
        boolean encrypted = false;
        long at = start;
        for (int i = 0; i < MAX_EXTENSIONS; i++) {
            if (at >= end) return new Extensions(backingFormat, dataFile, encrypted);
            if (at + 8 > fileSize) throw new Malformed("image ends inside its header extensions");
            ByteBuffer e = readAt(ch, at, 8);
            int type = e.getInt(0);
            long length = Integer.toUnsignedLong(e.getInt(4));
            if (at + 8 > end || length > end - at - 8) throw new Malformed("header extension 0x" + Integer.toHexString(type) + " is too large");
            if (type == EXT_END) return new Extensions(backingFormat, dataFile, encrypted);
            switch (type) {
                case EXT_BACKING_FORMAT -> {
                    if (length == 0 || length > 16) throw new Malformed("backing format name length " + length + " out of range");
                    backingFormat = text(readAt(ch, at + 8, (int) length), "backing format name");
                }
                case EXT_DATA_FILE -> dataFile = true;
                case EXT_ENCRYPTION -> encrypted = true;
                default -> { }
            }
            at += 8 + (length + 7) / 8 * 8;
        }
        throw new Malformed("more than " + MAX_EXTENSIONS + " header extensions");
    }

    private static ByteBuffer readAt(SeekableByteChannel ch, long offset, int length) throws IOException, Malformed {
        ByteBuffer b = ByteBuffer.allocate(length);
        ch.position(offset);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) break;
        }
        b.flip();
        if (b.limit() < length && offset > 0) throw new Malformed("image ends inside its header");
        return b;
    }

    private static String text(ByteBuffer b, String what) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed(what + " is not UTF-8");
        }
    }
}

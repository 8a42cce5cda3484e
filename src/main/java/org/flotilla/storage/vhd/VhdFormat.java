package org.flotilla.storage.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The parts of Microsoft's VHD format (version 1.0) that a dynamic or differencing disk's stream is made of, as XAPI's
 * vhd-tool and Xen Orchestra's vhd-lib write them: a 512-byte footer (also at the very start), a 1024-byte dynamic
 * header, the block allocation table, and blocks of a sector bitmap then data. Fields are big-endian; each structure
 * carries a checksum, the ones' complement of the sum of its bytes with the checksum field zeroed.
 */
public final class VhdFormat {
    public static final int SECTOR = 512;
    public static final int FOOTER_SIZE = 512;
    public static final int HEADER_SIZE = 1024;
    /** What every VHD writer here uses: 2 MiB. */
    public static final int DEFAULT_BLOCK_SIZE = 2 << 20;
    public static final int DISK_DYNAMIC = 3;
    public static final int DISK_DIFFERENCING = 4;
    static final long UNUSED_BLOCK = 0xFFFFFFFFL;
    private static final byte[] FOOTER_COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER_COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
    private static final int FOOTER_CHECKSUM_AT = 64;
    private static final int HEADER_CHECKSUM_AT = 36;
    /** The header's parent name: 256 UTF-16 big-endian code units. */
    private static final int PARENT_NAME_SIZE = 512;
    /** VHD timestamps count seconds from 2000-01-01T00:00:00Z. */
    private static final long EPOCH_2000 = 946_684_800L;

    private VhdFormat() {}

    /** A footer's fields that a reader of the stream needs. */
    public record Footer(long dataOffset, long currentSize, int diskType) {}

    /** A dynamic header's fields that a reader of the stream needs. */
    public record Header(long tableOffset, int maxTableEntries, int blockSize) {
        /** The sector bitmap ahead of each block's data, padded to whole sectors. */
        public int bitmapSize() { return roundUp(blockSize / SECTOR / 8, SECTOR); }
    }

    /** Reads a footer, checking its cookie, checksum and type; a {@link BadVhd} says what is wrong. */
    static Footer footer(byte[] b) throws BadVhd {
        if (!startsWith(b, FOOTER_COOKIE)) throw BadVhd.malformed("the VHD footer has no 'conectix' cookie (not a dynamic VHD stream)");
        checkChecksum(b, FOOTER_SIZE, FOOTER_CHECKSUM_AT, "footer");
        ByteBuffer f = ByteBuffer.wrap(b);
        int type = f.getInt(60);
        if (type != DISK_DYNAMIC && type != DISK_DIFFERENCING) {
            throw BadVhd.malformed("the VHD disk type is " + type + ": only dynamic (3) and differencing (4) disks are streamed");
        }
        return new Footer(f.getLong(16), f.getLong(48), type);
    }

    /** Reads a dynamic header, checking its cookie, checksum and block size. */
    static Header header(byte[] b) throws BadVhd {
        if (!startsWith(b, HEADER_COOKIE)) throw BadVhd.malformed("the VHD dynamic header has no 'cxsparse' cookie");
        checkChecksum(b, HEADER_SIZE, HEADER_CHECKSUM_AT, "dynamic header");
        ByteBuffer h = ByteBuffer.wrap(b);
        int blockSize = h.getInt(32);
        if (blockSize < SECTOR * 8 || Integer.bitCount(blockSize) != 1 || blockSize > VhdImport.MAX_BLOCK_SIZE) {
            throw BadVhd.malformed("the VHD block size " + Integer.toUnsignedString(blockSize) + " is not a power of two from 4 KiB to "
                    + (VhdImport.MAX_BLOCK_SIZE >> 20) + " MiB");
        }
        return new Header(h.getLong(16), h.getInt(28), blockSize);
    }

    /** The footer of a {@code type} disk (dynamic or differencing) of {@code size} bytes, its header {@code dataOffset} bytes in. */
    static byte[] newFooter(int type, long size, long dataOffset, UUID uuid, long nowSeconds) {
        ByteBuffer f = ByteBuffer.allocate(FOOTER_SIZE);
        f.put(FOOTER_COOKIE);
        f.putInt(2); // features: reserved bit, always set
        f.putInt(0x00010000);
        f.putLong(dataOffset);
        f.putInt((int) (nowSeconds - EPOCH_2000));
        f.put("flot".getBytes(StandardCharsets.US_ASCII));
        f.putInt(0x00010000);
        f.put("Wi2k".getBytes(StandardCharsets.US_ASCII)); // what XAPI's and Xen Orchestra's writers put
        f.putLong(size);
        f.putLong(size);
        f.putInt(geometry(size));
        f.putInt(type);
        f.putInt(0);
        f.putLong(uuid.getMostSignificantBits());
        f.putLong(uuid.getLeastSignificantBits());
        return withChecksum(f.array(), FOOTER_CHECKSUM_AT);
    }

    /**
     * The disk a differencing VHD is written against, as its header names it: the parent's unique id, its time (VHD
     * seconds are taken from Unix seconds here) and a name. No parent locator is written: a reader of a stream is told
     * its parent, and XAPI's and Xen Orchestra's readers rewrite the chain's names where they store it.
     */
    public record Parent(UUID uuid, long unixSeconds, String name) {}

    /** A dynamic header with its table at {@code tableOffset}, of {@code entries} blocks of {@code blockSize}; naming any {@code parent}. */
    static byte[] newHeader(long tableOffset, int entries, int blockSize, Parent parent) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
        h.put(HEADER_COOKIE);
        h.putLong(-1L);
        h.putLong(tableOffset);
        h.putInt(0x00010000);
        h.putInt(entries);
        h.putInt(blockSize);
        if (parent != null) {
            h.position(40);
            h.putLong(parent.uuid().getMostSignificantBits());
            h.putLong(parent.uuid().getLeastSignificantBits());
            h.putInt((int) (parent.unixSeconds() - EPOCH_2000));
            h.position(64);
            byte[] name = parent.name().getBytes(StandardCharsets.UTF_16BE);
            h.put(name, 0, Math.min(name.length, PARENT_NAME_SIZE));
        }
        return withChecksum(h.array(), HEADER_CHECKSUM_AT);
    }

    /**
     * The specification's cylinders/heads/sectors for a disk of {@code size} bytes, packed as the footer stores it.
     * Only old tools read it; the size the disk has is the footer's current size.
     */
    static int geometry(long size) {
        long total = Math.min(size / SECTOR, 65535L * 16 * 255);
        long spt;
        long heads;
        long cth;
        if (total >= 65535L * 16 * 63) {
            spt = 255;
            heads = 16;
            cth = total / spt;
        } else {
            spt = 17;
            cth = total / spt;
            heads = Math.max(4, (cth + 1023) / 1024);
            if (cth >= heads * 1024 || heads > 16) {
                spt = 31;
                heads = 16;
                cth = total / spt;
            }
            if (cth >= heads * 1024) {
                spt = 63;
                heads = 16;
                cth = total / spt;
            }
        }
        long cylinders = cth / heads;
        return (int) ((cylinders << 16) | (heads << 8) | spt);
    }

    private static void checkChecksum(byte[] b, int length, int at, String what) throws BadVhd {
        long stored = ByteBuffer.wrap(b).getInt(at) & 0xFFFFFFFFL;
        long computed = checksum(b, length, at);
        if (stored != computed) {
            throw BadVhd.malformed("the VHD " + what + " checksum is " + Long.toHexString(stored) + ", its bytes sum to " + Long.toHexString(computed));
        }
    }

    private static byte[] withChecksum(byte[] b, int at) {
        ByteBuffer.wrap(b).putInt(at, (int) checksum(b, b.length, at));
        return b;
    }

    static long checksum(byte[] b, int length, int at) {
        long sum = 0;
        for (int i = 0; i < length; i++) if (i < at || i >= at + 4) sum += b[i] & 0xFF;
        return ~sum & 0xFFFFFFFFL;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) { return java.util.Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length); }

    static int roundUp(int n, int to) { return (n + to - 1) / to * to; }
}

package org.flotilla.storage.vhd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.UUID;
import java.util.function.DoubleConsumer;

/**
 * Writes a disk as a dynamic VHD stream, as XAPI's vhd-tool does: footer, dynamic header, table, then only the blocks
 * that hold data (2 MiB each, every sector marked in its bitmap) in order, and the footer again. Its length is known
 * before the first byte, so it goes with a Content-Length. Memory: the table and one block.
 *
 * <p>Written against a parent (vhd-tool's {@code --relative-to}, XAPI's {@code base=}) it is a differencing disk
 * naming that parent, whose blocks are those in which the disk may differ from it, each whole and every sector marked,
 * read from the disk as it is now.
 */
public final class VhdExport {
    /** Where the data comes from: the disk, by byte offset. */
    @FunctionalInterface
    public interface Source {
        void read(long offset, byte[] buf, int off, int len) throws IOException;

        /** Writes the disk's {@code len} bytes at {@code offset} to {@code out}, through {@code buf} if it needs one. */
        default void send(long offset, int len, byte[] buf, OutputStream out) throws IOException {
            read(offset, buf, 0, len);
            out.write(buf, 0, len);
        }
    }

    /** The largest disk a VHD holds, as XAPI's max_vhd_size: 2 TiB less 8 GiB (its table's sector offsets are 32 bits). */
    public static final long MAX_SIZE = 2040L << 30;
    private static final int BLOCK = VhdFormat.DEFAULT_BLOCK_SIZE;
    private static final int BITMAP = VhdFormat.roundUp(BLOCK / VhdFormat.SECTOR / 8, VhdFormat.SECTOR);
    private static final long TABLE_AT = VhdFormat.FOOTER_SIZE + VhdFormat.HEADER_SIZE;

    private final long size;
    private final BitSet blocks;
    private final VhdFormat.Parent parent;

    /** A disk of {@code size} bytes, of which the 2 MiB blocks set in {@code blocks} hold data. */
    public VhdExport(long size, BitSet blocks) { this(size, blocks, null); }

    /** As a differencing disk on {@code parent} when not null, of which the blocks set in {@code blocks} differ from it. */
    public VhdExport(long size, BitSet blocks, VhdFormat.Parent parent) {
        this.size = size;
        this.blocks = (BitSet) blocks.clone();
        this.parent = parent;
        if (blocks.length() > entries()) throw new IllegalArgumentException("a block beyond the disk");
    }

    private int entries() { return Math.toIntExact((size + BLOCK - 1) / BLOCK); }

    private long tableBytes() { return VhdFormat.roundUp(entries() * 4, VhdFormat.SECTOR); }

    /** The stream's length in bytes. */
    public long length() { return TABLE_AT + tableBytes() + (long) blocks.cardinality() * (BITMAP + BLOCK) + VhdFormat.FOOTER_SIZE; }

    /** Writes the stream to {@code out}, reading the blocks from {@code disk}; {@code progress} hears the fraction written. */
    public void write(Source disk, OutputStream out, DoubleConsumer progress) throws IOException {
        int type = parent == null ? VhdFormat.DISK_DYNAMIC : VhdFormat.DISK_DIFFERENCING;
        byte[] footer = VhdFormat.newFooter(type, size, VhdFormat.FOOTER_SIZE, UUID.randomUUID(), System.currentTimeMillis() / 1000);
        out.write(footer);
        out.write(VhdFormat.newHeader(TABLE_AT, entries(), BLOCK, parent));
        ByteBuffer table = ByteBuffer.allocate((int) tableBytes());
        Arrays.fill(table.array(), (byte) 0xFF);
        long sector = (TABLE_AT + tableBytes()) / VhdFormat.SECTOR;
        for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1)) {
            table.putInt(b * 4, (int) sector);
            sector += (BITMAP + BLOCK) / VhdFormat.SECTOR;
        }
        out.write(table.array());
        byte[] bitmap = new byte[BITMAP];
        Arrays.fill(bitmap, (byte) 0xFF);
        byte[] data = new byte[BLOCK];
        long done = 0;
        long total = Math.max(1, blocks.cardinality());
        for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1)) {
            long at = (long) b * BLOCK;
            int n = (int) Math.min(BLOCK, size - at);
            out.write(bitmap);
            disk.send(at, n, data, out);
            // the last block of a disk that is not a whole number of them, padded
            if (n < BLOCK) out.write(new byte[BLOCK - n]);
            progress.accept((double) ++done / total);
        }
        out.write(footer);
    }
}

package org.flotilla.storage.vhd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.DoubleConsumer;

/**
 * Reads a dynamic or differencing VHD as a stream, front to back (footer, header, table, blocks in the order they lie,
 * footer), and writes each allocated block's data to a disk at the block's place: for a dynamic disk the whole block,
 * for a differencing one only the sectors its bitmap marks, so what the stream does not hold stays as the disk had it.
 * The stream is refused before anything is written when its footer, header or table is wrong or it holds data beyond
 * the disk; a stream that ends before its last footer is refused when it ends. Nothing it names is followed: a
 * differencing disk's parent locators are never read. Memory: the table (4 bytes a block) and one block.
 */
public final class VhdImport {
    /** Blocks are read whole; XAPI's and Xen Orchestra's writers make 2 MiB blocks. */
    static final int MAX_BLOCK_SIZE = 8 << 20;
    /** A table larger than this (a 32 TiB disk in 2 MiB blocks) is refused rather than held. */
    private static final int MAX_TABLE_ENTRIES = 16 << 20;

    /** Where the data goes: the disk, by byte offset. */
    @FunctionalInterface
    public interface Target {
        void write(long offset, byte[] buf, int off, int len) throws IOException;
    }

    private final Counted in;
    private final long diskSize;

    private VhdImport(InputStream in, long diskSize) {
        this.in = new Counted(in);
        this.diskSize = diskSize;
    }

    /**
     * Copies the VHD read from {@code in} onto a disk of {@code diskSize} bytes through {@code out}, reporting the
     * fraction of the stream read to {@code progress}; returns the bytes of data written.
     */
    public static long copy(InputStream in, long diskSize, Target out, DoubleConsumer progress) throws IOException, BadVhd {
        return new VhdImport(in, diskSize).copy(out, progress);
    }

    private record Block(int index, long offset) {}

    private long copy(Target out, DoubleConsumer progress) throws IOException, BadVhd {
        VhdFormat.Footer footer = VhdFormat.footer(in.read(VhdFormat.FOOTER_SIZE));
        byte[] firstFooter = in.last;
        in.skipTo(footer.dataOffset(), "the dynamic header");
        VhdFormat.Header header = VhdFormat.header(in.read(VhdFormat.HEADER_SIZE));
        int entries = header.maxTableEntries();
        if (entries < 0 || entries > MAX_TABLE_ENTRIES) throw BadVhd.malformed("the VHD table has " + Integer.toUnsignedString(entries) + " entries");
        in.skipTo(header.tableOffset(), "the block table");
        Block[] blocks = allocated(ByteBuffer.wrap(in.read(entries * 4)), header);
        int bitmapSize = header.bitmapSize();
        long end = (blocks.length == 0 ? in.position : blocks[blocks.length - 1].offset() + bitmapSize + header.blockSize()) + VhdFormat.FOOTER_SIZE;
        byte[] data = new byte[header.blockSize()];
        long written = 0;
        for (Block b : blocks) {
            in.skipTo(b.offset(), "block " + b.index());
            byte[] bitmap = in.read(bitmapSize);
            in.readFully(data, "block " + b.index());
            written += write(out, footer.diskType() == VhdFormat.DISK_DYNAMIC ? null : bitmap, (long) b.index() * header.blockSize(), data);
            progress.accept((double) in.position / end);
        }
        byte[] last = in.read(VhdFormat.FOOTER_SIZE);
        VhdFormat.footer(last);
        if (!Arrays.equals(firstFooter, last)) throw BadVhd.malformed("the VHD's last footer differs from its first");
        return written;
    }

    /** The allocated blocks in the order they lie in the stream, each after the table and clear of the one before. */
    private Block[] allocated(ByteBuffer table, VhdFormat.Header header) throws BadVhd {
        int entries = table.capacity() / 4;
        int n = 0;
        Block[] blocks = new Block[entries];
        for (int i = 0; i < entries; i++) {
            long sector = table.getInt(i * 4) & 0xFFFFFFFFL;
            if (sector == VhdFormat.UNUSED_BLOCK) continue;
            if ((long) i * header.blockSize() >= diskSize) {
                throw new BadVhd(BadVhd.Kind.TOO_LARGE, "block " + i + " of the VHD lies beyond the disk's " + diskSize + " bytes");
            }
            blocks[n++] = new Block(i, sector * VhdFormat.SECTOR);
        }
        Block[] sorted = Arrays.copyOf(blocks, n);
        Arrays.sort(sorted, (a, b) -> Long.compare(a.offset(), b.offset()));
        long free = in.position;
        for (Block b : sorted) {
            if (b.offset() < free) throw BadVhd.malformed("block " + b.index() + " of the VHD overlaps the table or another block");
            free = b.offset() + header.bitmapSize() + header.blockSize();
        }
        return sorted;
    }

    /**
     * Writes the block's data at {@code at}: all of it, or the runs of sectors {@code bitmap} marks; what lies beyond
     * the disk must be zeros (a writer that rounds the size up to the geometry's pads so).
     */
    private long write(Target out, byte[] bitmap, long at, byte[] data) throws IOException, BadVhd {
        int inDisk = (int) Math.min(data.length, diskSize - at);
        for (int i = inDisk; i < data.length; i++) {
            if (data[i] != 0) throw new BadVhd(BadVhd.Kind.TOO_LARGE, "the VHD holds data at byte " + (at + i) + ", beyond the disk's " + diskSize);
        }
        if (bitmap == null) {
            out.write(at, data, 0, inDisk);
            return inDisk;
        }
        long written = 0;
        int sectors = inDisk / VhdFormat.SECTOR;
        for (int s = 0; s < sectors; ) {
            if (!marked(bitmap, s)) {
                s++;
                continue;
            }
            int run = s;
            while (run < sectors && marked(bitmap, run)) run++;
            out.write(at + (long) s * VhdFormat.SECTOR, data, s * VhdFormat.SECTOR, (run - s) * VhdFormat.SECTOR);
            written += (long) (run - s) * VhdFormat.SECTOR;
            s = run;
        }
        return written;
    }

    private static boolean marked(byte[] bitmap, int sector) { return (bitmap[sector >> 3] & (0x80 >> (sector & 7))) != 0; }

    /** The stream with its position: a VHD's parts are found by offset, and may only lie ahead. */
    private static final class Counted {
        private final InputStream in;
        long position;
        byte[] last;

        Counted(InputStream in) { this.in = in; }

        byte[] read(int n) throws IOException, BadVhd {
            last = new byte[n];
            readFully(last, "the VHD");
            return last;
        }

        void readFully(byte[] b, String what) throws IOException, BadVhd {
            int got = in.readNBytes(b, 0, b.length);
            position += got;
            if (got < b.length) throw new BadVhd(BadVhd.Kind.TRUNCATED, "the VHD stream ended at byte " + position + ", within " + what);
        }

        void skipTo(long offset, String what) throws IOException, BadVhd {
            if (offset < position) throw BadVhd.malformed(what + " of the VHD is at byte " + offset + ", behind what was read");
            long gap = offset - position;
            long skipped = 0;
            byte[] scrap = new byte[(int) Math.min(gap, 65536)];
            while (skipped < gap) {
                int n = in.read(scrap, 0, (int) Math.min(scrap.length, gap - skipped));
                if (n < 0) throw new BadVhd(BadVhd.Kind.TRUNCATED, "the VHD stream ended at byte " + (position + skipped) + ", before " + what);
                skipped += n;
            }
            position = offset;
        }
    }
}

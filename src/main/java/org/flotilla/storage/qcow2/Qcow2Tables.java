package org.flotilla.storage.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.BitSet;

/**
 * Checks the tables of an uploaded qcow2 image, a file of the daemon's, before QEMU is let read it (QEMU's
 * docs/interop/qcow2.txt): the header's geometry, and that the L1 table, the refcount table and blocks, every L2 table
 * and every cluster they map lie inside the file, aligned, each host cluster used once (compressed clusters may share
 * one with each other, never with a table or an uncompressed cluster). So a crafted image is refused with a reason
 * before anything is written, rather than read by QEMU as zeros past its end or as one cluster seen twice. Its backing
 * and data files, encryption and unknown features are {@code Qcow2Header}'s to refuse; internal snapshots are not
 * walked (QEMU converts the active layer alone). Memory: one cluster of table at a time and two bits per host cluster.
 */
public final class Qcow2Tables {
    /** The image is refused; the message says where. */
    public static final class Broken extends Exception {
        Broken(String message) { super(message, null, false, false); }
    }

    /** What was found: how many guest clusters hold data, compressed data, or are marked zero. */
    public record Summary(long virtualSize, int clusterBits, long dataClusters, long compressedClusters, long zeroClusters) {}

    private static final int MAGIC = 0x514649fb;
    /** L1 entries and uncompressed L2 entries: the host offset is bits 9 to 55. */
    private static final long OFFSET_MASK = 0x00fffffffffffe00L;
    private static final long COMPRESSED = 1L << 62;
    private static final long ZERO = 1L;
    private static final long INCOMPATIBLE_CORRUPT = 1L << 1;
    private static final long INCOMPATIBLE_COMPRESSION = 1L << 3;
    private static final long INCOMPATIBLE_EXTENDED_L2 = 1L << 4;
    private static final int COMPRESSION_ZLIB = 0;
    private static final int COMPRESSION_ZSTD = 1;
    /** QEMU's own limit on an L1 table (QCOW_MAX_L1_SIZE, 32 MiB). */
    private static final long MAX_L1_ENTRIES = (32 << 20) / 8;
    /** Host clusters tracked at most (two bits each: 32 MiB); 8 TiB of 64 KiB clusters. */
    private static final long MAX_HOST_CLUSTERS = 1L << 27;

    private final FileChannel ch;
    private final long length;
    private final int clusterBits;
    private final long cluster;
    private final BitSet used = new BitSet();
    private final BitSet compressed = new BitSet();

    private Qcow2Tables(FileChannel ch, long length, int clusterBits) {
        this.ch = ch;
        this.length = length;
        this.clusterBits = clusterBits;
        this.cluster = 1L << clusterBits;
    }

    /** Checks the image in {@code ch}; returns what it maps, or says why it is refused. */
    public static Summary check(FileChannel ch) throws IOException, Broken {
        long length = ch.size();
        ByteBuffer h = read(ch, 0, (int) Math.min(112, length));
        if (h.limit() < 72 || h.getInt(0) != MAGIC) throw new Broken("not a qcow2 image (bad magic)");
        int version = h.getInt(4);
        if (version != 2 && version != 3) throw new Broken("qcow2 version " + Integer.toUnsignedString(version) + " is not 2 or 3");
        int clusterBits = h.getInt(20);
        if (clusterBits < 9 || clusterBits > 21) throw new Broken("cluster_bits " + clusterBits + " is out of range");
        long size = h.getLong(24);
        if (size < 0) throw new Broken("a virtual size beyond 2^63");
        long incompatible = 0;
        int l2EntrySize = 8;
        if (version == 3) {
            if (h.limit() < 104) throw new Broken("the qcow2 v3 header is cut short");
            incompatible = h.getLong(72);
            int refcountOrder = h.getInt(96);
            if (refcountOrder < 0 || refcountOrder > 6) throw new Broken("refcount_order " + refcountOrder + " is out of range");
            long headerLength = Integer.toUnsignedLong(h.getInt(100));
            int compression = headerLength > 104 && h.limit() > 104 ? h.get(104) & 0xff : COMPRESSION_ZLIB;
            if ((incompatible & INCOMPATIBLE_COMPRESSION) == 0 ? compression != COMPRESSION_ZLIB
                    : compression != COMPRESSION_ZLIB && compression != COMPRESSION_ZSTD) {
                throw new Broken("compression type " + compression + " is neither zlib nor zstd");
            }
            if ((incompatible & INCOMPATIBLE_CORRUPT) != 0) throw new Broken("the image is marked corrupt");
            if ((incompatible & INCOMPATIBLE_EXTENDED_L2) != 0) l2EntrySize = 16;
        }
        var t = new Qcow2Tables(ch, length, clusterBits);
        long hostClusters = (length + t.cluster - 1) >> clusterBits;
        if (hostClusters > MAX_HOST_CLUSTERS) throw new Broken("the image has " + hostClusters + " clusters, more than " + MAX_HOST_CLUSTERS + " are not checked");
        long l1Entries = Integer.toUnsignedLong(h.getInt(36));
        long guestClusters = (size + t.cluster - 1) >> clusterBits;
        long perL2 = t.cluster / l2EntrySize;
        long needed = (guestClusters + perL2 - 1) / perL2;
        if (l1Entries < needed) throw new Broken("the L1 table has " + l1Entries + " entries; the virtual size needs " + needed);
        if (l1Entries > MAX_L1_ENTRIES) throw new Broken("the L1 table has " + l1Entries + " entries, more than QEMU takes");

        t.claim(0, Math.min(t.cluster, length), "the header");
        long l1At = h.getLong(40);
        t.claim(l1At, l1Entries * 8, "the L1 table");
        long refcountsAt = h.getLong(48);
        long refcountClusters = Integer.toUnsignedLong(h.getInt(56));
        if (refcountClusters == 0) throw new Broken("the refcount table is empty");
        t.claim(refcountsAt, refcountClusters * t.cluster, "the refcount table");
        t.refcountBlocks(refcountsAt, refcountClusters * t.cluster / 8);
        if (Integer.toUnsignedLong(h.getInt(60)) > 0) {
            long snapshotsAt = h.getLong(64);
            if (snapshotsAt % t.cluster != 0 || snapshotsAt < 0 || snapshotsAt >= length) {
                throw new Broken("the snapshot table at byte " + snapshotsAt + " lies outside the stream of " + length + " bytes");
            }
        }
        long[] counts = t.l2Tables(l1At, l1Entries, l2EntrySize);
        if (t.used.intersects(t.compressed)) throw new Broken("compressed data overlaps a table or an uncompressed cluster");
        return new Summary(size, clusterBits, counts[0], counts[1], counts[2]);
    }

    private void refcountBlocks(long tableAt, long entries) throws IOException, Broken {
        for (long i = 0; i < entries; i += cluster / 8) {
            ByteBuffer part = read(ch, tableAt + i * 8, (int) cluster);
            for (int j = 0; j < cluster / 8; j++) {
                long block = part.getLong(j * 8) & ~0x1ffL;
                if (block != 0) claimCluster(block, "refcount block " + (i + j));
            }
        }
    }

    /** Walks every L2 table the L1 table names; returns the counts of data, compressed and zero clusters. */
    private long[] l2Tables(long l1At, long l1Entries, int entrySize) throws IOException, Broken {
        long[] counts = new long[3];
        long perL2 = cluster / entrySize;
        ByteBuffer l1 = null;
        for (long i = 0; i < l1Entries; i++) {
            int inPart = (int) (i % (cluster / 8));
            if (inPart == 0) l1 = read(ch, l1At + i * 8, (int) Math.min(cluster, (l1Entries - i) * 8));
            long table = l1.getLong(inPart * 8) & OFFSET_MASK;
            if (table == 0) continue;
            claimCluster(table, "the L2 table of L1 entry " + i);
            ByteBuffer l2 = read(ch, table, (int) cluster);
            for (long j = 0; j < perL2; j++) {
                long e = l2.getLong((int) (j * entrySize));
                String what = "guest cluster " + (i * perL2 + j);
                if ((e & COMPRESSED) != 0) {
                    compressed(e, what);
                    counts[1]++;
                } else if ((e & OFFSET_MASK) != 0) {
                    claimCluster(e & OFFSET_MASK, "the data of " + what);
                    counts[0]++;
                } else if (entrySize == 8 && (e & ZERO) != 0) {
                    counts[2]++;
                }
            }
        }
        return counts;
    }

    /** A compressed cluster's bytes: from its offset, a count of 512-byte sectors whose first it starts in. */
    private void compressed(long entry, String what) throws Broken {
        int offsetBits = 62 - (clusterBits - 8);
        long at = entry & ((1L << offsetBits) - 1);
        long sectors = ((entry & ~COMPRESSED) >>> offsetBits) + 1;
        long end = (at & ~511L) + sectors * 512;
        // QEMU writes a compressed cluster's bytes and no more: the file may end inside its last sector
        if (at == 0 || end > (length + 511) / 512 * 512) throw past("the compressed data of " + what, at);
        compressed.set(Math.toIntExact(at >> clusterBits), Math.toIntExact(((end - 1) >> clusterBits) + 1));
    }

    private void claimCluster(long at, String what) throws Broken { claim(at, cluster, what); }

    /** Marks the host clusters of {@code bytes} from {@code at} used, refusing them outside the file or used before. */
    private void claim(long at, long bytes, String what) throws Broken {
        if (at % cluster != 0) throw new Broken(what + " at byte " + at + " is not aligned to a cluster");
        if (at < 0 || bytes > length || at > length - bytes) throw past(what, at);
        if (bytes == 0) return;
        int first = Math.toIntExact(at >> clusterBits);
        int end = Math.toIntExact(((at + bytes - 1) >> clusterBits) + 1);
        int seen = used.nextSetBit(first);
        if (seen >= 0 && seen < end) throw new Broken(what + " at byte " + at + " overlaps another table or cluster");
        used.set(first, end);
    }

    private Broken past(String what, long at) { return new Broken(what + " at byte " + at + " lies past the end of the stream of " + length + " bytes"); }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
            // until full or the end of the file
        }
        return b.flip();
    }
}

package org.flotilla.storage.qcow2;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.DoubleConsumer;

/**
 * Writes a disk as a qcow2 image in one pass, for XCP-ng's {@code /export_raw_vdi?format=qcow2}, which Xen Orchestra
 * asks of a disk whose sm_config says image-format=qcow2 and reads front to back (@xen-orchestra/qcow2's QcowStream:
 * the header, the L1 table, every L2 table, then the data clusters, never going back). So everything that points
 * lies before what it points at: header, L1 table, refcount table and blocks, the L2 tables of the allocated regions
 * in order, then only the clusters that hold data, in the disk's order, each 64 KiB. qcow2 version 3, 16-bit
 * refcounts, every cluster counted once. Written against a base it names the base as its backing file and holds only
 * the clusters that may differ from it. Its length is known before the first byte. Memory: one L2 table or a run of
 * data at a time, and the cluster bitmap (a bit per 64 KiB).
 */
public final class Qcow2Export {
    /** Where the data comes from: the disk, by byte offset. */
    @FunctionalInterface
    public interface Source {
        void read(long offset, byte[] buf, int off, int len) throws IOException;
    }

    public static final int CLUSTER_BITS = 16;
    public static final int CLUSTER = 1 << CLUSTER_BITS;
    private static final int L2_ENTRIES = CLUSTER / 8;
    /** 16-bit refcounts: a refcount block counts this many clusters. */
    private static final int REFCOUNTS_PER_BLOCK = CLUSTER / 2;
    private static final long COPIED = 1L << 63;
    private static final int HEADER_LENGTH = 104;
    /** Data clusters are read this many at a time where they follow each other. */
    private static final int RUN = 32;

    private final long size;
    private final BitSet clusters;
    private final String backing;
    private final long l1Clusters;
    private final long refcountTableClusters;
    private final long refcountBlocks;
    private final int l2Tables;
    private final long total;

    /**
     * A disk of {@code size} bytes, of which the 64 KiB clusters set in {@code clusters} hold data, written against
     * the image named {@code backing} when not null.
     */
    public Qcow2Export(long size, BitSet clusters, String backing) {
        this.size = size;
        this.clusters = (BitSet) clusters.clone();
        this.backing = backing;
        if (clusters.length() > clusterCount()) throw new IllegalArgumentException("a cluster beyond the disk");
        if (backing != null && backing.getBytes(StandardCharsets.UTF_8).length > 1023) throw new IllegalArgumentException("a backing name too long");
        this.l1Clusters = clustersFor((long) l1Size() * 8);
        int tables = 0;
        for (int t = 0; t < l1Size(); t++) if (tableUsed(t)) tables++;
        this.l2Tables = tables;
        // the refcount blocks count themselves and the table that points at them: grow both until they suffice
        long blocks = 0;
        long table = 0;
        while (true) {
            long all = 1 + l1Clusters + table + blocks + l2Tables + clusters.cardinality();
            long needBlocks = (all + REFCOUNTS_PER_BLOCK - 1) / REFCOUNTS_PER_BLOCK;
            long needTable = clustersFor(needBlocks * 8);
            if (needBlocks == blocks && needTable == table) break;
            blocks = needBlocks;
            table = needTable;
        }
        this.refcountBlocks = blocks;
        this.refcountTableClusters = table;
        this.total = 1 + l1Clusters + table + blocks + l2Tables + clusters.cardinality();
    }

    private int clusterCount() { return Math.toIntExact((size + CLUSTER - 1) / CLUSTER); }

    private int l1Size() { return Math.max(1, (clusterCount() + L2_ENTRIES - 1) / L2_ENTRIES); }

    private boolean tableUsed(int t) {
        int first = clusters.nextSetBit(t * L2_ENTRIES);
        return first >= 0 && first < (t + 1) * L2_ENTRIES;
    }

    private static long clustersFor(long bytes) { return (bytes + CLUSTER - 1) / CLUSTER; }

    /** The stream's length in bytes. */
    public long length() { return total * CLUSTER; }

    private long l1At() { return CLUSTER; }

    private long refcountTableAt() { return l1At() + l1Clusters * CLUSTER; }

    private long refcountBlocksAt() { return refcountTableAt() + refcountTableClusters * CLUSTER; }

    private long l2At() { return refcountBlocksAt() + refcountBlocks * CLUSTER; }

    private long dataAt() { return l2At() + (long) l2Tables * CLUSTER; }

    /** Writes the image to {@code out}, reading the clusters from {@code disk}; {@code progress} hears the fraction written. */
    public void write(Source disk, OutputStream out, DoubleConsumer progress) throws IOException {
        out.write(header());
        writeL1(out);
        writeRefcounts(out);
        writeL2(out);
        writeData(disk, out, progress);
    }

    private byte[] header() {
        ByteBuffer h = ByteBuffer.allocate(CLUSTER);
        h.putInt(0x514649fb); // "QFI\xfb"
        h.putInt(3);
        byte[] name = backing == null ? new byte[0] : backing.getBytes(StandardCharsets.UTF_8);
        // after the header and the end of its (empty) extension list
        long nameAt = HEADER_LENGTH + 8;
        h.putLong(backing == null ? 0 : nameAt);
        h.putInt(name.length);
        h.putInt(CLUSTER_BITS);
        // QEMU counts a disk in 512-byte sectors and drops a partial last one: round up, the rest reads as zeros
        h.putLong((size + 511) / 512 * 512);
        h.putInt(0); // no encryption
        h.putInt(l1Size());
        h.putLong(l1At());
        h.putLong(refcountTableAt());
        h.putInt((int) refcountTableClusters);
        h.putInt(0); // no internal snapshots
        h.putLong(0);
        h.putLong(0); // incompatible features
        h.putLong(0); // compatible features
        h.putLong(0); // autoclear features
        h.putInt(4); // refcount_order: 16 bits
        h.putInt(HEADER_LENGTH);
        h.position(HEADER_LENGTH);
        h.putInt(0); // end of the header extensions
        h.putInt(0);
        h.put(name);
        return h.array();
    }

    private void writeL1(OutputStream out) throws IOException {
        ByteBuffer l1 = ByteBuffer.allocate((int) (l1Clusters * CLUSTER));
        long next = l2At();
        for (int t = 0; t < l1Size(); t++) {
            if (!tableUsed(t)) continue;
            l1.putLong(t * 8, next | COPIED);
            next += CLUSTER;
        }
        out.write(l1.array());
    }

    private void writeRefcounts(OutputStream out) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(CLUSTER);
        for (long c = 0; c < refcountTableClusters; c++) {
            block.clear();
            for (int i = 0; i < CLUSTER / 8; i++) {
                long b = c * (CLUSTER / 8) + i;
                block.putLong(i * 8, b < refcountBlocks ? refcountBlocksAt() + b * CLUSTER : 0);
            }
            out.write(block.array());
        }
        for (long b = 0; b < refcountBlocks; b++) {
            Arrays.fill(block.array(), (byte) 0);
            for (int i = 0; i < REFCOUNTS_PER_BLOCK; i++) {
                if (b * REFCOUNTS_PER_BLOCK + i < total) block.putShort(i * 2, (short) 1);
            }
            out.write(block.array());
        }
    }

    private void writeL2(OutputStream out) throws IOException {
        ByteBuffer l2 = ByteBuffer.allocate(CLUSTER);
        long next = dataAt();
        for (int t = 0; t < l1Size(); t++) {
            if (!tableUsed(t)) continue;
            Arrays.fill(l2.array(), (byte) 0);
            for (int c = clusters.nextSetBit(t * L2_ENTRIES); c >= 0 && c < (t + 1) * L2_ENTRIES; c = clusters.nextSetBit(c + 1)) {
                l2.putLong((c - t * L2_ENTRIES) * 8, next | COPIED);
                next += CLUSTER;
            }
            out.write(l2.array());
        }
    }

    private void writeData(Source disk, OutputStream out, DoubleConsumer progress) throws IOException {
        byte[] run = new byte[RUN * CLUSTER];
        long done = 0;
        long all = Math.max(1, clusters.cardinality());
        for (int c = clusters.nextSetBit(0); c >= 0; ) {
            int n = 1;
            while (n < RUN && clusters.get(c + n)) n++;
            long at = (long) c * CLUSTER;
            int bytes = n * CLUSTER;
            int inDisk = (int) Math.min(bytes, size - at);
            disk.read(at, run, 0, inDisk);
            Arrays.fill(run, inDisk, bytes, (byte) 0);
            out.write(run, 0, bytes);
            done += n;
            progress.accept((double) done / all);
            c = clusters.nextSetBit(c + n);
        }
    }
}

package org.flotilla.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import org.flotilla.storage.vhd.VhdExport;

/**
 * Reads a disk's blocks that hold data, in order, a few ahead of the caller over an {@link NbdPipeline}: while the
 * caller sends one block to its client, QEMU reads the next ones. Memory: {@code depth} blocks. A read that is not
 * the next block expected is served on its own, after those already asked for.
 */
final class Readahead implements VhdExport.Source {
    private record Ahead(long offset, int len, byte[] buf, CompletableFuture<Void> done) {}

    private final NbdPipeline nbd;
    private final BitSet blocks;
    private final int blockSize;
    private final long size;
    private final int depth;
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private int next;

    /** The blocks of {@code blockSize} set in {@code blocks}, of a disk of {@code size} bytes. */
    Readahead(NbdPipeline nbd, BitSet blocks, int blockSize, long size, int depth) {
        this.nbd = nbd;
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.size = size;
        this.depth = depth;
        this.next = blocks.nextSetBit(0);
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        Ahead head = next(offset, len);
        if (head == null) {
            NbdPipeline.await(nbd.read(offset, buf, off, len));
            return;
        }
        System.arraycopy(head.buf(), 0, buf, off, len);
        done(head);
    }

    /** Sends the block from the buffer it was read into, no copy made. */
    @Override
    public void send(long offset, int len, byte[] buf, OutputStream out) throws IOException {
        Ahead head = next(offset, len);
        if (head == null) {
            VhdExport.Source.super.send(offset, len, buf, out);
            return;
        }
        out.write(head.buf(), 0, len);
        done(head);
    }

    /** The block read ahead at {@code offset}, its bytes there; null if that is not the next one. */
    private Ahead next(long offset, int len) throws IOException {
        fill();
        Ahead head = ahead.peekFirst();
        if (head == null || head.offset() != offset || head.len() != len) return null;
        ahead.removeFirst();
        NbdPipeline.await(head.done());
        return head;
    }

    private void done(Ahead head) throws IOException {
        free.push(head.buf());
        fill();
    }

    private void fill() throws IOException {
        while (ahead.size() < depth && next >= 0 && (long) next * blockSize < size) {
            long at = (long) next * blockSize;
            int len = (int) Math.min(blockSize, size - at);
            byte[] buf = free.isEmpty() ? new byte[blockSize] : free.pop();
            ahead.addLast(new Ahead(at, len, buf, nbd.read(at, buf, 0, len)));
            next = blocks.nextSetBit(next + 1);
        }
    }
}

package org.flotilla.wire;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoded body as the pieces it was written in, never joined into one array: get_all_records at 10,000 VMs is
 * 20 MiB of JSON and 63 MiB of XML-RPC, which a growing array copied several times over and then once more to be
 * sent. What is written is copied into chunks that start small, as most replies are, and double up to 64 KiB; a kept
 * encoding ({@link #writeKept}) is not copied at all but stands in the body as it is, and {@link GzipBody} compresses
 * it once for every reply that carries it.
 */
public final class ChunkedBytes extends OutputStream {
    private static final int FIRST = 512;
    private static final int LARGEST = 64 * 1024;

    /**
     * A run of bytes of the body; {@code shared} when other replies share the array, and {@code kept} (else null) when
     * it is a kept encoding.
     */
    record Piece(byte[] bytes, int from, int length, boolean shared, KeptBytes kept) {
        ByteBuffer buffer() {
            var b = ByteBuffer.wrap(bytes, from, length);
            return shared ? b.asReadOnlyBuffer() : b;
        }
    }

    private final List<Piece> pieces = new ArrayList<>();
    private long piecesLength;
    private byte[] current = new byte[FIRST];
    /** Where the part of {@link #current} that is no piece yet begins. */
    private int mark;
    private int used;

    @Override
    public void write(int b) {
        if (used == current.length) nextChunk();
        current[used++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes) { write(bytes, 0, bytes.length); }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        while (length > 0) {
            if (used == current.length) nextChunk();
            int n = Math.min(length, current.length - used);
            System.arraycopy(bytes, offset, current, used, n);
            used += n;
            offset += n;
            length -= n;
        }
    }

    /** Bytes that no one changes again, e.g. a record's kept encoding: they become a piece of the body without a copy. */
    void writeKept(KeptBytes kept) {
        closePiece();
        add(new Piece(kept.plain, 0, kept.plain.length, true, kept));
    }

    /** Bytes that other replies share (a kept encoding's deflated form): a piece of the body as they are, read-only. */
    void writeShared(byte[] bytes) {
        closePiece();
        add(new Piece(bytes, 0, bytes.length, true, null));
    }

    private void nextChunk() {
        closePiece();
        current = new byte[Math.min(LARGEST, current.length * 2)];
        mark = used = 0;
    }

    private void closePiece() {
        if (used > mark) add(new Piece(current, mark, used - mark, false, null));
        mark = used;
    }

    private void add(Piece p) {
        pieces.add(p);
        piecesLength += p.length();
    }

    public long length() { return piecesLength + used - mark; }

    /** The body as buffers to send in order; they share this object's arrays, and kept encodings are read-only. */
    public List<ByteBuffer> buffers() {
        var out = new ArrayList<ByteBuffer>(pieces.size() + 1);
        for (Piece p : pieces()) out.add(p.buffer());
        return out;
    }

    /** The body's pieces in order, the last one written included; one empty piece for an empty body. */
    List<Piece> pieces() {
        if (used == mark && !pieces.isEmpty()) return pieces;
        var all = new ArrayList<Piece>(pieces.size() + 1);
        all.addAll(pieces);
        all.add(new Piece(current, mark, used - mark, false, null));
        return all;
    }

    public byte[] toByteArray() {
        var out = new byte[Math.toIntExact(length())];
        int at = 0;
        for (ByteBuffer b : buffers()) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        return out;
    }

    /** The bytes written since the length was {@code start}, as an array of their own. */
    byte[] copySince(long start) {
        int n = Math.toIntExact(length() - start);
        var out = new byte[n];
        int missing = n;
        int fromCurrent = Math.min(used - mark, missing);
        System.arraycopy(current, used - fromCurrent, out, n - fromCurrent, fromCurrent);
        missing -= fromCurrent;
        for (int i = pieces.size() - 1; missing > 0; i--) {
            Piece p = pieces.get(i);
            int take = Math.min(p.length(), missing);
            System.arraycopy(p.bytes(), p.from() + p.length() - take, out, missing - take, take);
            missing -= take;
        }
        return out;
    }
}

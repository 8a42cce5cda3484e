package org.flotilla.wire;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoded body in chunks that are never copied into one array: get_all_records at 10,000 VMs is 20 MiB of JSON
 * and 63 MiB of XML-RPC, which a growing array copied several times over and then once more to be sent. Chunks start
 * small, as most replies are, and double up to 64 KiB.
 */
public final class ChunkedBytes extends OutputStream {
    private static final int FIRST = 512;
    private static final int LARGEST = 64 * 1024;

    private final List<byte[]> filled = new ArrayList<>();
    private long filledLength;
    private byte[] current = new byte[FIRST];
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

    private void nextChunk() {
        filled.add(current);
        filledLength += current.length;
        current = new byte[Math.min(LARGEST, current.length * 2)];
        used = 0;
    }

    public long length() { return filledLength + used; }

    /** The bytes written since the length was {@code start}, as an array of their own. */
    byte[] copySince(long start) {
        int n = Math.toIntExact(length() - start);
        var out = new byte[n];
        int missing = n;
        int fromCurrent = Math.min(used, missing);
        System.arraycopy(current, used - fromCurrent, out, n - fromCurrent, fromCurrent);
        missing -= fromCurrent;
        for (int i = filled.size() - 1; missing > 0; i--) {
            byte[] chunk = filled.get(i);
            int take = Math.min(chunk.length, missing);
            System.arraycopy(chunk, chunk.length - take, out, missing - take, take);
            missing -= take;
        }
        return out;
    }

    /** The bytes as buffers to send in order; they share this object's chunks. */
    public List<ByteBuffer> buffers() {
        var out = new ArrayList<ByteBuffer>(filled.size() + 1);
        for (byte[] chunk : filled) out.add(ByteBuffer.wrap(chunk));
        if (used > 0 || out.isEmpty()) out.add(ByteBuffer.wrap(current, 0, used));
        return out;
    }

    public byte[] toByteArray() {
        var out = new byte[Math.toIntExact(length())];
        int at = 0;
        for (byte[] chunk : filled) {
            System.arraycopy(chunk, 0, out, at, chunk.length);
            at += chunk.length;
        }
        System.arraycopy(current, 0, out, at, used);
        return out;
    }
}

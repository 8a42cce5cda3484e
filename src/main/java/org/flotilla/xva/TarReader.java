package org.flotilla.xva;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.flotilla.model.ApiError;

/**
 * Reads an XVA's tar entries in order, one at a time, straight from the client's stream: a header, then the entry's
 * bytes, which the caller reads before asking for the next. Only regular files are entries; directories and pax or GNU
 * extension headers are passed over (their names are not used), since an XVA's names are short. A stream that ends
 * inside a header or an entry is IMPORT_ERROR_PREMATURE_EOF; a header that is not one, IMPORT_ERROR.
 */
final class TarReader {
    /** One entry's name and size, as its header declares them. */
    record Entry(String name, long size) {}

    private final InputStream in;
    private final byte[] header = new byte[TarWriter.BLOCK];
    private Entry peeked;
    private long left;
    private int padding;

    TarReader(InputStream in) { this.in = in; }

    /** The next entry without taking it, or null at the end of the archive. The current entry's rest is skipped. */
    Entry peek() throws IOException {
        if (peeked != null) return peeked;
        skip(left + padding);
        left = 0;
        padding = 0;
        while (true) {
            if (!readHeader()) return null;
            String name = string(0, 100);
            long size = number(124, 12);
            byte type = header[156];
            int pad = (int) ((TarWriter.BLOCK - size % TarWriter.BLOCK) % TarWriter.BLOCK);
            if (type == '0' || type == 0) {
                String prefix = string(345, 155);
                peeked = new Entry(prefix.isEmpty() ? name : prefix + "/" + name, size);
                left = size;
                padding = pad;
                return peeked;
            }
            skip(size + pad);
        }
    }

    /** Takes the next entry, whose bytes {@link #read} then gives; null at the end. */
    Entry next() throws IOException {
        Entry e = peek();
        peeked = null;
        return e;
    }

    /** Reads all of the current entry's bytes into {@code buf} (which must hold them). */
    int readAll(byte[] buf) throws IOException {
        if (left > buf.length) throw ApiError.of("IMPORT_ERROR", "a tar entry of " + left + " bytes, more than " + buf.length);
        int n = (int) left;
        if (in.readNBytes(buf, 0, n) < n) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        left = 0;
        return n;
    }

    /** Reads up to {@code len} bytes of the current entry into {@code buf}; -1 once the entry is all read. */
    int read(byte[] buf, int off, int len) throws IOException {
        if (left == 0) return -1;
        int n = in.read(buf, off, (int) Math.min(len, left));
        if (n < 0) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        left -= n;
        return n;
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, header.length);
        if (n == 0) return false; // no end blocks: XAPI's own reader takes that too
        if (n < header.length) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        boolean zero = true;
        for (byte b : header) if (b != 0) { zero = false; break; }
        if (zero) return false;
        long sum = 0;
        for (int i = 0; i < header.length; i++) sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        if (sum != number(148, 8)) throw ApiError.of("IMPORT_ERROR", "not a tar header (checksum)");
        return true;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
                s = 1;
            }
            n -= s;
        }
    }

    private String string(int at, int width) {
        int end = at;
        while (end < at + width && header[end] != 0) end++;
        return new String(header, at, end - at, StandardCharsets.UTF_8);
    }

    private long number(int at, int width) {
        if ((header[at] & 0x80) != 0) throw ApiError.of("IMPORT_ERROR", "a tar size in base-256");
        String s = string(at, width).trim();
        if (s.isEmpty()) return 0;
        try {
            long v = Long.parseLong(s, 8);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.of("IMPORT_ERROR", "not a tar header: " + Arrays.toString(s.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}

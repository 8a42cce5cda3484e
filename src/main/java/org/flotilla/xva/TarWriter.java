package org.flotilla.xva;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The ustar archive an XVA is: each entry a 512-byte header then its bytes padded to 512, two zero blocks at the end.
 * Names are the XVA's own (ova.xml, Ref:N/00000000), far shorter than the header's 100 bytes; xe writes an OVF
 * directory's files with it as the OVA they make.
 */
public final class TarWriter {
    public static final int BLOCK = 512;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final OutputStream out;
    private final long mtime = System.currentTimeMillis() / 1000;

    TarWriter(OutputStream out) { this.out = out; }

    /** Writes an entry named {@code name} holding {@code len} bytes of {@code data} from {@code off}. */
    void entry(String name, byte[] data, int off, int len) throws IOException {
        out.write(header(name, len, mtime));
        out.write(data, off, len);
        int pad = (int) ((BLOCK - len % BLOCK) % BLOCK);
        out.write(ZEROS, 0, pad);
    }

    void entry(String name, byte[] data) throws IOException { entry(name, data, 0, data.length); }

    /** The end of the archive. */
    void finish() throws IOException {
        out.write(ZEROS);
        out.write(ZEROS);
        out.flush();
    }

    /** A ustar header of a regular file {@code name} of {@code size} bytes. */
    public static byte[] header(String name, long size, long mtime) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) throw new IllegalArgumentException("tar name too long: " + name);
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        // the checksum is summed with its own field as spaces
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int at, int width, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > width - 1) throw new IllegalArgumentException("tar field overflow: " + value);
        s = "0".repeat(width - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, width - 1);
        h[at + width - 1] = 0;
    }
}

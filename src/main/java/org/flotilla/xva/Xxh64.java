package org.flotilla.xva;

/**
 * XXH64 with seed 0, the sum newer XAPIs and Xen Orchestra's XVA writer put beside each chunk ({@code .xxhash}, in
 * hexadecimal): checked on import as SHA-1 sums are.
 */
final class Xxh64 {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private Xxh64() {}

    static long hash(byte[] b, int off, int len) {
        int at = off;
        int end = off + len;
        long h;
        if (len >= 32) {
            long v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1;
            for (; at <= end - 32; at += 32) {
                v1 = round(v1, long64(b, at));
                v2 = round(v2, long64(b, at + 8));
                v3 = round(v3, long64(b, at + 16));
                v4 = round(v4, long64(b, at + 24));
            }
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(merge(merge(merge(h, v1), v2), v3), v4);
        } else {
            h = P5;
        }
        h += len;
        for (; at <= end - 8; at += 8) h = Long.rotateLeft(h ^ round(0, long64(b, at)), 27) * P1 + P4;
        if (at <= end - 4) {
            h = Long.rotateLeft(h ^ ((int32(b, at) & 0xffffffffL) * P1), 23) * P2 + P3;
            at += 4;
        }
        for (; at < end; at++) h = Long.rotateLeft(h ^ ((b[at] & 0xffL) * P5), 11) * P1;
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    private static long round(long acc, long input) { return Long.rotateLeft(acc + input * P2, 31) * P1; }

    private static long merge(long h, long v) { return (h ^ round(0, v)) * P1 + P4; }

    private static long long64(byte[] b, int at) { return (int32(b, at) & 0xffffffffL) | ((long) int32(b, at + 4) << 32); }

    private static int int32(byte[] b, int at) { return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24; }
}

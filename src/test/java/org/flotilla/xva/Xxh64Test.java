package org.flotilla.xva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** XXH64 against the sums hash-wasm (the library Xen Orchestra's XVA writer uses) gives for the same bytes. */
class Xxh64Test {
    @Test
    void sumsAreHashWasms() {
        assertEquals(0xef46db3751d8e999L, Xxh64.hash(new byte[0], 0, 0));
        assertEquals(0xd24ec4f1a98c6e5bL, hash("a"));
        assertEquals(0x4efdb622d9f95091L, hash("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"));
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 7);
        assertEquals(0x22ad03f5499428c0L, Xxh64.hash(chunk, 0, chunk.length));
    }

    private static long hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Xxh64.hash(b, 0, b.length);
    }
}

package org.flotilla.runtime.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The secret a migration stream opens with, so that the destination lets in the source's connection alone. */
final class OneTimeToken {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 32 random bytes, in hex. */
    static final int LENGTH = 64;

    private OneTimeToken() {}

    static String create() {
        byte[] b = new byte[LENGTH / 2];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static boolean matches(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }
}

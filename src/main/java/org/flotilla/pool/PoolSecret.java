package org.flotilla.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.flotilla.host.AtomicFile;

/**
 * The secret the hosts of a pool prove themselves to each other with (XAPI's ptoken), kept readable by root
 * alone beside the database. Made at first start; a host that joins a pool will take the coordinator's.
 */
public final class PoolSecret {
    private final String secret;

    private PoolSecret(String secret) { this.secret = secret; }

    public static PoolSecret ensure(Path stateDir) {
        Path file = stateDir.resolve("ptoken");
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                // AtomicFile's temporary file, renamed into place, is made rw------- from the start
                AtomicFile.write(file, (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            return new PoolSecret(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The secret itself, for pool.initial_auth and for this host's own calls to other members. */
    public String value() { return secret; }

    /** Takes the pool's secret in place of this host's own, as a joining host does; the next start reads it. */
    public static void replace(Path stateDir, String secret) {
        if (secret == null || secret.isBlank() || secret.lines().count() != 1) throw new IllegalArgumentException("not a pool secret");
        try {
            AtomicFile.write(stateDir.resolve("ptoken"), (secret.strip() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code candidate} is the secret, compared in constant time. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }
}

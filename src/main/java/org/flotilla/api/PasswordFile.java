package org.flotilla.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The root password, kept as a slow salted hash (PBKDF2-HMAC-SHA256) in one line of a file only the
 * daemon's user can read: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}. The password itself is
 * never stored or logged.
 */
public final class PasswordFile implements Authenticator {
    public static final String ROOT = "root";
    private static final int ITERATIONS = 210_000;
    private final Path file;

    public PasswordFile(Path file) { this.file = file; }

    public boolean exists() { return Files.exists(file); }

    public void set(String password) throws IOException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String line = "pbkdf2-sha256$" + ITERATIONS + "$" + b64(salt) + "$" + b64(hash(password, salt, ITERATIONS)) + "\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, line, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public boolean authenticate(String user, String password) {
        Stored stored = read();
        // an unknown user costs the same hash as a wrong password, so that timing does not tell which users exist
        byte[] actual = hash(password == null ? "" : password, stored == null ? new byte[16] : stored.salt(),
                stored == null ? ITERATIONS : stored.iterations());
        return stored != null && ROOT.equals(user) && password != null && MessageDigest.isEqual(stored.hash(), actual);
    }

    private record Stored(int iterations, byte[] salt, byte[] hash) {}

    private Stored read() {
        try {
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\$");
            if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) return null;
            return new Stored(Integer.parseInt(parts[1]), Base64.getDecoder().decode(parts[2]), Base64.getDecoder().decode(parts[3]));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] hash(String password, byte[] salt, int iterations) {
        try {
            var spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) { return Base64.getEncoder().withoutPadding().encodeToString(b); }
}

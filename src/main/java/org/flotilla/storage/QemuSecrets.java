package org.flotilla.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets QEMU's programs need to open an SR's images (an iSCSI target's CHAP password). A block node names one
 * by its id ({@code password-secret}), never by its value, and each program is given the values apart, so that no
 * command line, which any user of the host may read in /proc, holds one: qemu-img and qemu-storage-daemon read a file of
 * root's ({@link ForProgram}), a VM's QEMU a file in its run directory that is removed once it has started, and a
 * running QEMU gets them through its monitor, which is the daemon's alone.
 * <p>
 * An id is a keyed hash of the value, with a key of this daemon's run: the same secret has the same id in every node
 * this daemon describes, so that a QEMU defines it once, and a changed password gets a new one; the id tells nothing
 * of the value to whoever reads it in a command line.
 */
public final class QemuSecrets {
    private static final Pattern REFERENCE = Pattern.compile("\"password-secret\"\\s*:\\s*\"(secret-[0-9a-f]{32})\"");
    private static final Map<String, String> VALUES = new ConcurrentHashMap<>();
    private static final byte[] KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(KEY);
    }

    private QemuSecrets() {}

    /** The id of the secret {@code value}, which this daemon then gives the programs whose nodes name it. */
    static String idFor(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            String id = "secret-" + HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 16);
            VALUES.put(id, value);
            return id;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256", e);
        }
    }

    /** The ids of this daemon's secrets that {@code text} (node descriptions, a command line) names, each once. */
    public static List<String> namedIn(String text) {
        var ids = new LinkedHashSet<String>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            if (VALUES.containsKey(m.group(1))) ids.add(m.group(1));
        }
        return List.copyOf(ids);
    }

    /** The value of a secret this daemon gave {@code id}. */
    public static String value(String id) {
        String v = VALUES.get(id);
        if (v == null) throw new IllegalArgumentException("no secret " + id);
        return v;
    }

    /** Writes the secret {@code id} into {@code dir} as a file its owner alone reads; returns the file. */
    public static Path write(Path dir, String id) throws IOException {
        Path file = dir.resolve(id);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, value(id));
        return file;
    }

    /** QEMU's object for the secret {@code id} read from {@code file}. */
    public static String object(String id, Path file) { return "secret,id=" + id + ",file=" + file; }

    /**
     * The secrets a program of root's (qemu-img, qemu-storage-daemon) is given for one run: written into a directory
     * of root's alone, named by {@link #options}; closing removes them, once the program has read them.
     */
    record ForProgram(Path dir, List<String> options) implements AutoCloseable {
        /** The secrets {@code args} name, each as a {@code --object} option. */
        static ForProgram of(List<String> args) throws IOException {
            List<String> ids = namedIn(String.join("\n", args));
            if (ids.isEmpty()) return new ForProgram(null, List.of());
            Path dir = Files.createTempDirectory("flotilla-secrets-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            var options = new ArrayList<String>();
            try {
                for (String id : ids) options.addAll(List.of("--object", object(id, write(dir, id))));
            } catch (IOException | RuntimeException e) {
                remove(dir);
                throw e;
            }
            return new ForProgram(dir, List.copyOf(options));
        }

        @Override
        public void close() {
            if (dir != null) remove(dir);
        }
    }

    /** Removes a directory of secret files (it holds nothing else). */
    public static void remove(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.getLogger(QemuSecrets.class.getName()).log(System.Logger.Level.WARNING, "cannot remove the secrets in " + dir + ": " + e);
        }
    }
}

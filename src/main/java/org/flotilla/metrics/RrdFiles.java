package org.flotilla.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.flotilla.host.AtomicFile;

/**
 * The RRDs kept across daemon restarts, as XAPI keeps them: one gzipped rrdtool XML dump per host or VM,
 * {@code <dir>/<uuid>.gz}, each written whole or not at all. A file that cannot be read is skipped with a
 * warning: losing a history must never stop the daemon.
 */
final class RrdFiles {
    private static final System.Logger LOG = System.getLogger(RrdFiles.class.getName());
    private static final String SUFFIX = ".gz";

    private final Path dir;

    RrdFiles(Path dir) { this.dir = dir; }

    /** Saves every RRD, and removes the files of owners that no longer have one. */
    synchronized void save(Rrds rrds) {
        Map<String, String> dumps = rrds.dumps();
        try {
            Files.createDirectories(dir);
            for (var e : dumps.entrySet()) AtomicFile.write(dir.resolve(e.getKey() + SUFFIX), gzip(e.getValue()));
            removeUnless(dumps.keySet()::contains);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save the RRDs in " + dir + ": " + e);
        }
    }

    /** Loads the saved RRDs of the host and of the VMs {@code isVm} knows; the rest are left out (and removed at the next save). */
    void load(Rrds rrds, Predicate<String> isVm) {
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(SUFFIX) || name.startsWith(".")) continue;
                String uuid = name.substring(0, name.length() - SUFFIX.length());
                if (!uuid.equals(rrds.hostUuid()) && !isVm.test(uuid)) continue;
                try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                    rrds.restore(uuid, RrdDumpReader.read(in));
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping the saved RRD " + f + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the saved RRDs in " + dir + ": " + e);
        }
    }

    /** Removes saved RRDs whose owner {@code keep} refuses, and temporary files a crash left. */
    private void removeUnless(Predicate<String> keep) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean leftover = name.startsWith(".") && name.endsWith(".tmp");
                if (leftover || name.endsWith(SUFFIX) && !name.startsWith(".") && !keep.test(name.substring(0, name.length() - SUFFIX.length()))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static byte[] gzip(String text) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}

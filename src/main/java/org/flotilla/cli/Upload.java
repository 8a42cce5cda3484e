package org.flotilla.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flotilla.xva.TarWriter;

/**
 * What xe sends to a host's import handler: its name (for messages), its length, known before the first byte (the
 * handlers read Content-Length), and its bytes, opened when sent. A file of the user's is sent as it is; a directory
 * holding an OVF package (the descriptor and its files, as VMware's ovftool writes one) is sent as the OVA it would
 * be tarred into — the descriptor first, then its manifest and certificate, then the rest — without writing that
 * OVA anywhere.
 */
record Upload(String name, long length, Supplier<InputStream> body) {
    static Upload file(Path file) {
        try {
            return new Upload(file.toString(), Files.size(file), () -> open(file));
        } catch (IOException e) {
            throw CliFailure.error("Cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The OVF package in {@code dir} as an OVA; CliFailure if {@code dir} holds no descriptor, or more than one. */
    static Upload ovfDirectory(Path dir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
        } catch (IOException e) {
            throw CliFailure.error("Cannot read " + dir + ": " + e.getMessage());
        }
        long descriptors = files.stream().filter(f -> kind(f) == 0).count();
        if (descriptors != 1) throw CliFailure.error(dir + " holds " + descriptors + " OVF descriptors (*.ovf) where one was expected");
        files.sort(Comparator.comparingInt(Upload::kind).thenComparing(Path::toString));
        long length = 2 * TarWriter.BLOCK;
        var names = new ArrayList<String>();
        try {
            for (Path f : files) {
                names.add(dir.relativize(f).toString());
                length += TarWriter.BLOCK + (Files.size(f) + TarWriter.BLOCK - 1) / TarWriter.BLOCK * TarWriter.BLOCK;
            }
        } catch (IOException e) {
            throw CliFailure.error("Cannot read " + dir + ": " + e.getMessage());
        }
        return new Upload(dir.toString(), length, () -> new SequenceInputStream(new java.util.Enumeration<>() {
            private final Iterator<InputStream> parts = parts(files, names).iterator();
            @Override public boolean hasMoreElements() { return parts.hasNext(); }
            @Override public InputStream nextElement() { return parts.next(); }
        }));
    }

    /** Each file's header, bytes (opened only when reached) and padding, then the archive's end. */
    private static List<InputStream> parts(List<Path> files, List<String> names) {
        var out = new ArrayList<InputStream>();
        long mtime = System.currentTimeMillis() / 1000;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(new ByteArrayInputStream(TarWriter.header(names.get(i), size, mtime)));
            out.add(new LazyFile(f));
            out.add(new ByteArrayInputStream(new byte[(int) ((TarWriter.BLOCK - size % TarWriter.BLOCK) % TarWriter.BLOCK)]));
        }
        out.add(new ByteArrayInputStream(new byte[2 * TarWriter.BLOCK]));
        return out;
    }

    /** The order of an OVA's entries (DSP0243): the descriptor, the manifest, the certificate, the rest. */
    private static int kind(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".ovf") ? 0 : n.endsWith(".mf") ? 1 : n.endsWith(".cert") ? 2 : 3;
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file opened at its first read, so that a package of many disks holds one open at a time. */
    private static final class LazyFile extends InputStream {
        private final Path path;
        private InputStream in;

        LazyFile(Path path) { this.path = path; }

        private InputStream in() throws IOException {
            if (in == null) in = Files.newInputStream(path);
            return in;
        }

        @Override public int read() throws IOException { return in().read(); }

        @Override public int read(byte[] b, int off, int len) throws IOException { return in().read(b, off, len); }

        @Override public void close() throws IOException { if (in != null) in.close(); }
    }
}

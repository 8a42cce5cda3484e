package org.flotilla.xva;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.os.HostCommand;

/**
 * zstd streams for XVA packages (XAPI's {@code use_compression=zstd}, Xen Orchestra's default for full backups), run
 * through Debian's {@code zstd} program as XAPI runs its own compressors: no native code in the daemon (zstd-jni's
 * would be loaded into it) and no {@code sun.misc.Unsafe}, which the pure-Java aircompressor uses and Java 25 warns of.
 * One virtual thread pumps between the program and the other side; memory is the pipes' and zstd's window, which its
 * decompressor caps at 128 MiB by default whatever a frame asks.
 */
final class Zstd {
    private Zstd() {}

    /** zstd's frame magic, 28 B5 2F FD, as the first four bytes of a stream. */
    static boolean isFrame(byte[] magic) {
        return magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd;
    }

    /** What is written to the stream returned goes to {@code sink} compressed; closing it ends the frame and waits for zstd. */
    static OutputStream compressing(OutputStream sink) throws IOException {
        Process zstd = start("-q", "-c", "-3");
        Pump pump = Pump.start(zstd, zstd.getInputStream(), sink, false);
        return new FilterOutputStream(zstd.getOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                } catch (IOException e) {
                    // zstd gone: its exit says why
                }
                pump.finish("compress");
            }
        };
    }

    /** The stream returned reads {@code source} decompressed; it fails (IOException) on what is not a whole zstd stream. */
    static InputStream decompressing(InputStream source) throws IOException {
        Process zstd = start("-q", "-d", "-c");
        Pump pump = Pump.start(zstd, source, zstd.getOutputStream(), true);
        return new FilterInputStream(zstd.getInputStream()) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b < 0) pump.finish("decompress");
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) pump.finish("decompress");
                return n;
            }

            /** Stops zstd and waits for the pump to let go of the source, which may be read to its end next. */
            @Override
            public void close() throws IOException {
                zstd.destroyForcibly();
                in.close();
                pump.stop();
            }
        };
    }

    private static Process start(String... args) throws IOException {
        var argv = new java.util.ArrayList<>(List.of("zstd"));
        argv.addAll(List.of(args));
        return HostCommand.of(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Copies between zstd and the other side; a failure there stops zstd, so that nobody waits on a full pipe. */
    private static final class Pump {
        private final Process zstd;
        private final Thread thread;
        private volatile Throwable failure;

        private Pump(Process zstd, InputStream from, OutputStream to, boolean closeTo) {
            this.zstd = zstd;
            this.thread = Thread.ofVirtual().name("zstd pump").unstarted(() -> {
                try {
                    from.transferTo(to);
                    if (closeTo) to.close();
                    else to.flush();
                } catch (IOException | RuntimeException e) {
                    failure = e;
                    zstd.destroyForcibly();
                }
            });
        }

        static Pump start(Process zstd, InputStream from, OutputStream to, boolean closeTo) {
            var pump = new Pump(zstd, from, to, closeTo);
            pump.thread.start();
            return pump;
        }

        void stop() {
            try {
                thread.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Once zstd's side has ended: the pump's failure, or zstd's if it did not exit 0. */
        void finish(String what) throws IOException {
            try {
                thread.join(TimeUnit.MINUTES.toMillis(1));
                if (!zstd.waitFor(1, TimeUnit.MINUTES)) zstd.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                zstd.destroyForcibly();
                throw new IOException("interrupted while zstd ran");
            }
            switch (failure) {
                case null -> {}
                case RuntimeException r -> throw r;
                case IOException e -> throw e;
                default -> throw new IOException(failure);
            }
            if (zstd.exitValue() != 0) throw new IOException("zstd could not " + what + " the stream (exit " + zstd.exitValue() + ")");
        }
    }
}

package org.flotilla.db.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file of framed records behind an 8-byte magic that says what kind of file it is. Journals and
 * snapshots are both record files; they differ in what their records mean.
 */
public final class RecordFile implements AutoCloseable {
    public static final byte[] JOURNAL_MAGIC = "FLJRNL01".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] SNAPSHOT_MAGIC = "FLSNAP01".getBytes(StandardCharsets.US_ASCII);
    public static final int MAGIC_BYTES = 8;

    private final Path path;
    private final FileChannel channel;
    private long size;

    private RecordFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** A new file holding only its magic, written and forced (the caller publishes it by rename). */
    public static RecordFile create(Path path, byte[] magic) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Frames.writeFully(ch, ByteBuffer.wrap(magic), 0);
            return new RecordFile(path, ch, magic.length);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens an existing file for appending after {@code validEnd}, cutting away whatever follows it. */
    public static RecordFile openForAppend(Path path, long validEnd) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (ch.size() > validEnd) {
                ch.truncate(validEnd);
                ch.force(false);
            }
            return new RecordFile(path, ch, validEnd);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public long size() { return size; }

    /** Appends one record; durable when {@link #force} returns. */
    public void append(byte[] payload) throws IOException {
        ByteBuffer frame = Frames.frame(payload);
        int n = frame.remaining();
        Frames.writeFully(channel, frame, size);
        size += n;
    }

    public void force() throws IOException { channel.force(false); }

    @Override
    public void close() throws IOException { channel.close(); }

    /** Sequential reading of a record file from its first record. */
    public static final class Reader implements AutoCloseable {
        private final FileChannel channel;
        private final long size;
        private long position = MAGIC_BYTES;

        private Reader(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        /** Opens the file; IOException if it is not a record file of this kind (no magic, wrong magic). */
        public static Reader open(Path path, byte[] magic) throws IOException {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                long size = ch.size();
                if (size < MAGIC_BYTES) throw new IOException(path + " is too short to be a record file");
                byte[] found = Frames.readFully(ch, 0, MAGIC_BYTES).array();
                if (!Arrays.equals(found, magic)) {
                    throw new IOException(path + " is not a " + new String(magic, StandardCharsets.US_ASCII) + " file");
                }
                return new Reader(ch, size);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        /** The next record, or how the readable part of the file ends. */
        public Frames.Read next() throws IOException {
            Frames.Read r = Frames.read(channel, position, size);
            if (r instanceof Frames.Read.Record rec) position = rec.next();
            if (r instanceof Frames.Read.Corrupt c && zeroesFrom(c.offset())) {
                // Some file systems extend a file with zeroes before its data reaches the disk: after a
                // crash that is an unfinished append, not damage.
                return new Frames.Read.Torn(c.offset(), "zero-filled tail");
            }
            return r;
        }

        public long size() { return size; }

        private boolean zeroesFrom(long offset) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            for (long at = offset; at < size; ) {
                b.clear().limit((int) Math.min(b.capacity(), size - at));
                int n = channel.read(b, at);
                if (n <= 0) break;
                for (int i = 0; i < n; i++) if (b.get(i) != 0) return false;
                at += n;
            }
            return true;
        }

        @Override
        public void close() throws IOException { channel.close(); }
    }
}

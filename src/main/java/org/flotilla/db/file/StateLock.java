package org.flotilla.db.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock that keeps two daemons from writing one state directory: an OS file lock on
 * {@code <dir>/lock}, released by the OS when the holder dies (so a kill -9 never leaves it stale).
 * The file holds the holder's pid, only to make the error message useful.
 */
public final class StateLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static StateLock acquire(Path dir) {
        Path file = dir.resolve("lock");
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very JVM
            }
            if (lock == null) {
                ch.close();
                throw new StateDirectoryLockedException(dir, holder(file));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StateLock(ch, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock state directory " + dir, e);
        }
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        try { channel.close(); } catch (IOException ignored) { }
    }

    /** Another process (or another database in this one) has the state directory open. */
    public static final class StateDirectoryLockedException extends IllegalStateException {
        public StateDirectoryLockedException(Path dir, String holderPid) {
            super("state directory " + dir + " is in use by another process (pid " + holderPid
                    + "); two daemons must not share a state directory");
        }
    }
}

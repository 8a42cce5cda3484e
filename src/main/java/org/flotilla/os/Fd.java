package org.flotilla.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An open file descriptor of the daemon's, close-on-exec, to be handed to a child process or sent over a
 * socket. Closed once; closing it never affects a copy a child inherited.
 */
public final class Fd implements AutoCloseable {
    private final int value;
    private final String what;
    private boolean closed;

    Fd(int value, String what) {
        this.value = value;
        this.what = what;
    }

    public int value() {
        if (closed) throw new IllegalStateException(what + " is closed");
        return value;
    }

    /** What this descriptor is for: the file it opened, in error messages. */
    public String what() { return what; }

    /** Whether it was opened for writing too. */
    public boolean writable() throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int fl = (int) Libc.FCNTL.invokeExact(err, value(), Libc.F_GETFL, 0);
            if (fl < 0) throw Libc.failure("fcntl " + what, Libc.errno(err));
            return (fl & 3) != Libc.O_RDONLY;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The file's type, owner and size, as statx reads them through this descriptor. */
    public Stat stat() throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment buf = a.allocate(Libc.STATX_SIZE, 8);
            int r = (int) Libc.STATX.invokeExact(err, value(), a.allocateFrom(""), Libc.AT_EMPTY_PATH, Libc.STATX_TYPE_MODE_UID_SIZE, buf);
            if (r < 0) throw Libc.failure("statx " + what, Libc.errno(err));
            int mode = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, Libc.STATX_MODE_OFFSET));
            return new Stat(mode, buf.get(ValueLayout.JAVA_INT, Libc.STATX_UID_OFFSET), buf.get(ValueLayout.JAVA_LONG, Libc.STATX_SIZE_OFFSET));
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** What statx says of a file: its mode bits with the type, its owner, its size. */
    public record Stat(int mode, int uid, long size) {
        public boolean regularFile() { return (mode & Libc.S_IFMT) == Libc.S_IFREG; }

        public boolean directory() { return (mode & Libc.S_IFMT) == Libc.S_IFDIR; }
    }

    /**
     * Gives the open file the new name {@code target} through this descriptor (linkat with AT_EMPTY_PATH): the
     * very file that was opened, whatever became of its old name since. Fails across file systems (EXDEV).
     */
    public void linkTo(Path target) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int r = (int) Libc.LINKAT.invokeExact(err, value(), a.allocateFrom(""), Libc.AT_FDCWD, a.allocateFrom(target.toString()),
                    Libc.AT_EMPTY_PATH);
            if (r != 0) throw Libc.failure("link " + what + " as " + target, Libc.errno(err));
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Whether it becomes ready for {@code events} (poll's) within {@code timeout}; an error or hang-up counts as ready. */
    boolean ready(short events, Duration timeout) throws OsException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment pfd = a.allocate(8, 4);
            while (true) {
                pfd.set(ValueLayout.JAVA_INT, 0, value());
                pfd.set(ValueLayout.JAVA_SHORT, 4, events);
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
                int r = (int) Libc.POLL.invokeExact(err, pfd, 1L, millis);
                if (r > 0) return true;
                if (r < 0 && Libc.errno(err) != Libc.EINTR) throw Libc.failure("poll " + what, Libc.errno(err));
                if (r == 0 && System.nanoTime() >= deadline) return false;
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** A path that opens this descriptor's file (/proc/self/fd/N), not whatever its old name names now. */
    public Path procPath() { return Path.of("/proc/self/fd/" + value()); }

    /** A second descriptor of the same open file, close-on-exec, numbered at least {@code min}. */
    Fd dupAtLeast(int min) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int r = (int) Libc.FCNTL.invokeExact(err, value(), Libc.F_DUPFD_CLOEXEC, min);
            if (r < 0) throw Libc.failure("dup " + what, Libc.errno(err));
            return new Fd(r, what);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The same descriptor under another name; this object no longer owns it. */
    synchronized Fd renamed(String newWhat) {
        if (closed) throw new IllegalStateException(what + " is closed");
        closed = true;
        return new Fd(value, newWhat);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) Libc.CLOSE.invokeExact(Libc.errnoSlot(a), value);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @Override
    public String toString() { return "fd " + value + " (" + what + ")"; }
}

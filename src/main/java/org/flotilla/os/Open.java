package org.flotilla.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Opens files as root on behalf of a less trusted party (a QEMU, a guest): a name given by a record is
 * resolved beneath the directory it belongs to and never leaves it — no {@code ..}, no absolute path, no
 * magic link through /proc, and for storage no symbolic link at all — and only a regular file is opened
 * (a FIFO or device planted there is refused, without blocking on it).
 */
public final class Open {
    private Open() {}

    public enum Access {
        READ(Libc.O_RDONLY), READ_WRITE(Libc.O_RDWR);

        final int flags;

        Access(int flags) { this.flags = flags; }
    }

    /** Whether a symbolic link inside the directory may be followed (it may never lead out of it). */
    public enum Links { NONE, INSIDE }

    /**
     * Whether reads and writes go through the host's page cache or straight to the file system (O_DIRECT), as a VM's
     * disk does: its guest caches for itself, and the pages would otherwise count against its QEMU's memory cgroup.
     */
    public enum Io {
        CACHED(0), DIRECT(Libc.O_DIRECT);

        final int flags;

        Io(int flags) { this.flags = flags; }
    }

    /** Whether {@code e} is a file system's refusal of O_DIRECT (tmpfs before Linux 6.6, some FUSE ones). */
    public static boolean directRefused(OsException e) { return e.errno() == Libc.EINVAL; }

    private static final int O_NOCTTY = 0400;

    /**
     * The regular file {@code relative} beneath {@code dir}. {@code dir} itself is trusted (the caller's own
     * configuration); {@code relative} is not.
     */
    public static Fd beneath(Path dir, String relative, Access access, Links links) throws OsException {
        return beneath(dir, relative, access, links, Io.CACHED);
    }

    /** As {@link #beneath(Path, String, Access, Links)}, with the data's path {@code io}. */
    public static Fd beneath(Path dir, String relative, Access access, Links links, Io io) throws OsException {
        if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\0') >= 0) {
            throw new OsException("'" + relative + "' is not a name inside " + dir, 0);
        }
        try (Fd base = directory(dir)) {
            Fd f = openat2(base, relative, access.flags | io.flags | Libc.O_CLOEXEC | Libc.O_NONBLOCK | O_NOCTTY,
                    Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_MAGICLINKS | (links == Links.NONE ? Libc.RESOLVE_NO_SYMLINKS : 0),
                    dir.resolve(relative).toString());
            return regularBlocking(f);
        }
    }

    /** A file the daemon names itself (its own state), opened without following a link at its last component. */
    public static Fd file(Path file, Access access) throws OsException {
        return regularBlocking(openat(Libc.AT_FDCWD, file.toString(), access.flags | Libc.O_CLOEXEC | Libc.O_NONBLOCK | O_NOCTTY | Libc.O_NOFOLLOW, 0));
    }

    /** A file the daemon makes for a child to write (a log): created if missing, appended to. */
    public static Fd appendLog(Path file) throws OsException {
        return regularBlocking(openat(Libc.AT_FDCWD, file.toString(),
                Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | O_NOCTTY, 0600));
    }

    /** A new file the daemon makes for a child to fill (a dump): it must not exist yet, and only root may read it. */
    public static Fd createNew(Path file) throws OsException {
        return openat(Libc.AT_FDCWD, file.toString(), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | O_NOCTTY, 0600);
    }

    /** /dev/null, for a child's stdin. */
    public static Fd devNull() throws OsException {
        return openat(Libc.AT_FDCWD, "/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC | O_NOCTTY, 0);
    }

    /** A device node the daemon opens for a child (/dev/net/tun): read-write, no link followed. */
    static Fd device(String path) throws OsException {
        return openat(Libc.AT_FDCWD, path, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | O_NOCTTY, 0);
    }

    private static Fd directory(Path dir) throws OsException {
        return openat(Libc.AT_FDCWD, dir.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
    }

    private static Fd regularBlocking(Fd f) throws OsException {
        try {
            if (!f.stat().regularFile()) throw new OsException(f.what() + " is not a regular file", 0);
            clearNonBlocking(f);
            return f;
        } catch (OsException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static void clearNonBlocking(Fd f) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int fl = (int) Libc.FCNTL.invokeExact(err, f.value(), Libc.F_GETFL, 0);
            if (fl >= 0 && (fl & Libc.O_NONBLOCK) != 0) fl = (int) Libc.FCNTL.invokeExact(err, f.value(), Libc.F_SETFL, fl & ~Libc.O_NONBLOCK);
            if (fl < 0) throw Libc.failure("fcntl " + f.what(), Libc.errno(err));
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static Fd openat(int dirfd, String path, int flags, int mode) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int fd = (int) Libc.OPENAT.invokeExact(err, dirfd, a.allocateFrom(path), flags, mode);
            if (fd < 0) throw Libc.failure("open " + path, Libc.errno(err));
            return new Fd(fd, path);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** openat2(2), or on a kernel without it (before 5.6) a walk that checks each step the same way. */
    private static Fd openat2(Fd dir, String relative, int flags, long resolve, String what) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, flags);
            how.set(ValueLayout.JAVA_LONG, 8, 0);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            long fd = (long) Libc.SYSCALL4.invokeExact(err, Libc.SYS_OPENAT2, (long) dir.value(), a.allocateFrom(relative), how, 24L);
            if (fd >= 0) return new Fd((int) fd, what);
            int errno = Libc.errno(err);
            if (errno != Libc.ENOSYS) throw Libc.failure("open " + what, errno);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return walk(dir, relative, flags, what);
    }

    /** Without openat2: one component at a time, none of them "..", none a symbolic link. */
    private static Fd walk(Fd dir, String relative, int flags, String what) throws OsException {
        String[] parts = relative.split("/+");
        Fd cur = null;
        try {
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                if (p.equals("..")) throw new OsException("open " + what + ": leaves its directory", 0);
                int from = cur == null ? dir.value() : cur.value();
                boolean last = i == parts.length - 1;
                Fd next = openat(from, p, last ? flags | Libc.O_NOFOLLOW : Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (cur != null) cur.close();
                cur = next;
            }
            if (cur == null) throw new OsException("open " + what + ": no file named", 0);
            return cur.renamed(what);
        } catch (OsException | RuntimeException e) {
            if (cur != null) cur.close();
            throw e;
        }
    }
}

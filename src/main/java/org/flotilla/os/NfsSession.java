package org.flotilla.os;

import static org.flotilla.os.NativeMemory.pointer;
import static org.flotilla.os.NativeMemory.string;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One NFSv3 export mounted in userspace by libnfs ({@link LibNfs}): no kernel mount, no mount point. Paths are
 * absolute within the export ("/" its root). The identity presented (AUTH_SYS) is the one given, whatever the daemon
 * runs as. libnfs contexts are not thread-safe, so every call holds this session's lock; sessions are short-lived
 * (one per storage operation), so a server that restarted or a connection that broke costs nothing to replace.
 */
public final class NfsSession implements AutoCloseable {
    /** How long one call waits for the server before it fails (libnfs retries forever by default). */
    private static final int TIMEOUT_MS = 30_000;
    private static final int O_RDONLY = 0;
    private static final int ENOENT = 2;

    private final MemorySegment context;
    private final String what;
    private boolean closed;

    private NfsSession(MemorySegment context, String what) {
        this.context = context;
        this.what = what;
    }

    /** What a name in a directory is. */
    public enum Kind { ABSENT, REGULAR, DIRECTORY, SYMLINK, OTHER }

    public record Entry(String name, Kind kind, long size) {}

    /** A file system's size and the bytes the presented identity may still use. */
    public record Space(long total, long free) {}

    /** One export a server's MOUNT service lists, with the clients it names (empty: anyone). */
    public record Export(String dir, List<String> groups) {}

    /** Mounts {@code export} of {@code server} (an address or name), presenting uid and gid as given. */
    public static NfsSession mount(String server, String export, int uid, int gid) throws OsException {
        MemorySegment ctx;
        try {
            ctx = (MemorySegment) LibNfs.INIT_CONTEXT.invokeExact();
        } catch (LinkageError e) {
            throw new OsException(LibNfs.LIBRARY + " cannot be loaded (it comes with qemu-block-extra): " + e, 0);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (ctx.equals(MemorySegment.NULL)) throw new OsException("cannot make an NFS context", 0);
        var s = new NfsSession(ctx, "nfs://" + server + export);
        try (Arena a = Arena.ofConfined()) {
            LibNfs.SET_UID.invokeExact(ctx, uid);
            LibNfs.SET_GID.invokeExact(ctx, gid);
            LibNfs.SET_TIMEOUT.invokeExact(ctx, TIMEOUT_MS);
            int rc = (int) LibNfs.MOUNT.invokeExact(ctx, a.allocateFrom(server), a.allocateFrom(export));
            if (rc < 0) throw s.failure("mount", rc);
            return s;
        } catch (OsException e) {
            s.close();
            throw e;
        } catch (Throwable t) {
            s.close();
            throw Libc.unexpected(t);
        }
    }

    /** The exports {@code server}'s MOUNT service lists (showmount -e); empty if it lists none, an error if it cannot be asked. */
    public static List<Export> exports(String server) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            if (server.isEmpty()) throw new OsException("no server", 0);
            MemorySegment list = (MemorySegment) LibNfs.GETEXPORTS.invokeExact(a.allocateFrom(server));
            if (list.equals(MemorySegment.NULL)) return List.of();
            try {
                var out = new ArrayList<Export>();
                for (MemorySegment e = list; !e.equals(MemorySegment.NULL); e = pointer(e, LibNfs.EXPORT_NEXT)) {
                    var groups = new ArrayList<String>();
                    for (MemorySegment g = pointer(e, LibNfs.EXPORT_GROUPS); !g.equals(MemorySegment.NULL); g = pointer(g, LibNfs.GROUP_NEXT)) {
                        groups.add(string(pointer(g, 0)));
                    }
                    out.add(new Export(string(pointer(e, 0)), List.copyOf(groups)));
                }
                return out;
            } finally {
                LibNfs.FREE_EXPORTS.invokeExact(list);
            }
        } catch (LinkageError e) {
            throw new OsException(LibNfs.LIBRARY + " cannot be loaded (it comes with qemu-block-extra): " + e, 0);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The names in a directory but "." and "..", with what each is (READDIRPLUS: no call per name). */
    public synchronized List<Entry> list(String dir) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment handle = a.allocate(ValueLayout.ADDRESS);
            int rc = (int) LibNfs.OPENDIR.invokeExact(context(), a.allocateFrom(dir), handle);
            if (rc < 0) throw failure("opendir " + dir, rc);
            MemorySegment d = handle.get(ValueLayout.ADDRESS, 0);
            try {
                var out = new ArrayList<Entry>();
                while (true) {
                    MemorySegment e = (MemorySegment) LibNfs.READDIR.invokeExact(context, d);
                    if (e.equals(MemorySegment.NULL)) break;
                    e = e.reinterpret(LibNfs.DIRENT_FILE_SIZE + 8);
                    String name = string(e.get(ValueLayout.ADDRESS, LibNfs.DIRENT_NAME));
                    if (name.equals(".") || name.equals("..")) continue;
                    out.add(new Entry(name, kindOfType(e.get(ValueLayout.JAVA_INT, LibNfs.DIRENT_TYPE)), e.get(ValueLayout.JAVA_LONG, LibNfs.DIRENT_FILE_SIZE)));
                }
                return out;
            } finally {
                LibNfs.CLOSEDIR.invokeExact(context, d);
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** What {@code path} is, without following a link at its end; ABSENT if nothing is there. */
    public synchronized Entry lstat(String path) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(LibNfs.STAT64_SIZE, 8);
            int rc = (int) LibNfs.LSTAT64.invokeExact(context(), a.allocateFrom(path), st);
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (rc == -ENOENT) return new Entry(name, Kind.ABSENT, 0);
            if (rc < 0) throw failure("lstat " + path, rc);
            long mode = st.get(ValueLayout.JAVA_LONG, LibNfs.STAT64_MODE);
            return new Entry(name, kindOfMode(mode), st.get(ValueLayout.JAVA_LONG, LibNfs.STAT64_FILE_SIZE));
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    public synchronized void mkdir(String path) throws OsException { pathCall(LibNfs.MKDIR, "mkdir", path); }

    public synchronized void rmdir(String path) throws OsException { pathCall(LibNfs.RMDIR, "rmdir", path); }

    public synchronized void unlink(String path) throws OsException { pathCall(LibNfs.UNLINK, "unlink", path); }

    /** Renames {@code from} to {@code to}, replacing {@code to} (NFSv3 RENAME is atomic on the server). */
    public synchronized void rename(String from, String to) throws OsException { twoPathCall(LibNfs.RENAME, "rename", from, to); }

    /** A second name {@code to} for the file {@code from} (a hard link). */
    public synchronized void link(String from, String to) throws OsException { twoPathCall(LibNfs.LINK, "link", from, to); }

    /** The size of the file system the export is on, and what is left of it for this identity. */
    public synchronized Space space(String path) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(LibNfs.STATVFS_SIZE, 8);
            int rc = (int) LibNfs.STATVFS.invokeExact(context(), a.allocateFrom(path), st);
            if (rc < 0) throw failure("statvfs " + path, rc);
            long unit = st.get(ValueLayout.JAVA_LONG, LibNfs.STATVFS_FRSIZE);
            return new Space(unit * st.get(ValueLayout.JAVA_LONG, LibNfs.STATVFS_BLOCKS), unit * st.get(ValueLayout.JAVA_LONG, LibNfs.STATVFS_BAVAIL));
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** A read-only channel on a file, to read a header from; closed with the channel, and before the session. */
    public synchronized SeekableByteChannel openForReading(String path) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment handle = a.allocate(ValueLayout.ADDRESS);
            int rc = (int) LibNfs.OPEN.invokeExact(context(), a.allocateFrom(path), O_RDONLY, handle);
            if (rc < 0) throw failure("open " + path, rc);
            return new Reader(handle.get(ValueLayout.ADDRESS, 0), path, lstat(path).size());
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private final class Reader implements SeekableByteChannel {
        private final MemorySegment fh;
        private final String path;
        private final long size;
        private long position;
        private boolean open = true;

        Reader(MemorySegment fh, String path, long size) {
            this.fh = fh;
            this.path = path;
            this.size = size;
        }

        @Override public int read(ByteBuffer dst) throws java.io.IOException {
            if (position >= size) return -1;
            int want = (int) Math.min(dst.remaining(), Math.min(size - position, 1 << 20));
            if (want == 0) return 0;
            synchronized (NfsSession.this) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment buf = a.allocate(want);
                    int n = (int) LibNfs.PREAD.invokeExact(context(), fh, position, (long) want, buf);
                    if (n < 0) throw failure("read " + path, n);
                    if (n == 0) return -1;
                    dst.put(buf.asSlice(0, n).asByteBuffer());
                    position += n;
                    return n;
                } catch (OsException e) {
                    throw e;
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
            }
        }

        @Override public int write(ByteBuffer src) { throw new NonWritableChannelException(); }

        @Override public long position() { return position; }

        @Override public SeekableByteChannel position(long p) {
            position = p;
            return this;
        }

        @Override public long size() { return size; }

        @Override public SeekableByteChannel truncate(long s) { throw new NonWritableChannelException(); }

        @Override public boolean isOpen() { return open; }

        @Override public void close() {
            synchronized (NfsSession.this) {
                if (!open || closed) return;
                open = false;
                try {
                    // a handle opened for reading has nothing to flush: its close cannot lose anything
                    int ignored = (int) LibNfs.CLOSE.invokeExact(context, fh);
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
            }
        }
    }

    private void pathCall(java.lang.invoke.MethodHandle call, String op, String path) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) call.invokeExact(context(), a.allocateFrom(path));
            if (rc < 0) throw failure(op + " " + path, rc);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private void twoPathCall(java.lang.invoke.MethodHandle call, String op, String from, String to) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) call.invokeExact(context(), a.allocateFrom(from), a.allocateFrom(to));
            if (rc < 0) throw failure(op + " " + from + " " + to, rc);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private MemorySegment context() {
        if (closed) throw new IllegalStateException(what + " is closed");
        return context;
    }

    /** A failed call: the errno libnfs returned (negated) and its own words. */
    private OsException failure(String op, int rc) {
        String detail;
        try {
            MemorySegment m = (MemorySegment) LibNfs.GET_ERROR.invokeExact(context);
            detail = m.equals(MemorySegment.NULL) ? Libc.strerror(-rc) : string(m);
        } catch (Throwable t) {
            detail = Libc.strerror(-rc);
        }
        return new OsException(what + ": " + op + ": " + detail, -rc);
    }

    private static Kind kindOfType(int type) {
        return switch (type) {
            case LibNfs.NF3REG -> Kind.REGULAR;
            case LibNfs.NF3DIR -> Kind.DIRECTORY;
            case LibNfs.NF3LNK -> Kind.SYMLINK;
            default -> Kind.OTHER;
        };
    }

    private static Kind kindOfMode(long mode) {
        long fmt = mode & Libc.S_IFMT;
        if (fmt == Libc.S_IFREG) return Kind.REGULAR;
        if (fmt == Libc.S_IFDIR) return Kind.DIRECTORY;
        if (fmt == 0120000) return Kind.SYMLINK;
        return Kind.OTHER;
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            LibNfs.DESTROY_CONTEXT.invokeExact(context);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}

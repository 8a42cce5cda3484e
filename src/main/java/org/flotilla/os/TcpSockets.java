package org.flotilla.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * TCP sockets made as descriptors of the daemon's, so that they can be handed to QEMU (QMP {@code getfd}), which then
 * speaks TLS on them itself: the JDK's channels never give their descriptor away. Each call that may wait does so on
 * a platform thread of its own (they block in native code) and within a deadline, through poll.
 */
public final class TcpSockets {
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("tcp-fds-", 0).factory());
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_SIZE = 28;

    private TcpSockets() {}

    /** A socket listening at {@code address} on a port the kernel chose, and that port. */
    public record Listening(Fd fd, int port) implements AutoCloseable {
        @Override
        public void close() { fd.close(); }
    }

    /** How a connected socket notices a peer or link that is gone: it fails rather than wait for ever. */
    public record Liveness(Duration unacknowledged, Duration idle, Duration probeInterval, int probes) {}

    public static Listening listen(InetAddress address, int backlog) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            Fd fd = socket(address, err);
            try {
                setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1);
                MemorySegment addr = sockaddr(a, new InetSocketAddress(address, 0));
                if ((int) Libc.BIND.invokeExact(err, fd.value(), addr, (int) addr.byteSize()) < 0) throw Libc.failure("bind " + address.getHostAddress(), Libc.errno(err));
                if ((int) Libc.LISTEN.invokeExact(err, fd.value(), backlog) < 0) throw Libc.failure("listen", Libc.errno(err));
                MemorySegment out = a.allocate(SOCKADDR_SIZE, 4);
                MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
                len.set(ValueLayout.JAVA_INT, 0, SOCKADDR_SIZE);
                if ((int) Libc.GETSOCKNAME.invokeExact(err, fd.value(), out, len) < 0) throw Libc.failure("getsockname", Libc.errno(err));
                return new Listening(fd.renamed("TCP port " + address.getHostAddress() + ":" + Short.toUnsignedInt(out.get(PORT, 2))),
                        Short.toUnsignedInt(out.get(PORT, 2)));
            } catch (Throwable t) {
                fd.close();
                throw t;
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The next connection to {@code listening}, or null if none came within {@code timeout}. */
    public static Fd accept(Fd listening, Duration timeout) throws OsException {
        return blocking(() -> {
            if (!listening.ready(Libc.POLLIN, timeout)) return null;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoSlot(a);
                int s = (int) Libc.ACCEPT4.invokeExact(err, listening.value(), MemorySegment.NULL, MemorySegment.NULL, Libc.SOCK_CLOEXEC);
                if (s < 0) {
                    int errno = Libc.errno(err);
                    if (errno == Libc.EAGAIN || errno == Libc.EINTR) return null;
                    throw Libc.failure("accept on " + listening.what(), errno);
                }
                return new Fd(s, "TCP connection to " + listening.what());
            }
        });
    }

    /** A connection to {@code to}, made within {@code timeout}. */
    public static Fd connect(InetSocketAddress to, Duration timeout) throws OsException {
        return blocking(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoSlot(a);
                Fd fd = socket(to.getAddress(), err);
                try {
                    int flags = (int) Libc.FCNTL.invokeExact(err, fd.value(), Libc.F_GETFL, 0);
                    int ignored = (int) Libc.FCNTL.invokeExact(err, fd.value(), Libc.F_SETFL, flags | Libc.O_NONBLOCK);
                    MemorySegment addr = sockaddr(a, to);
                    if ((int) Libc.CONNECT.invokeExact(err, fd.value(), addr, (int) addr.byteSize()) < 0) {
                        int errno = Libc.errno(err);
                        if (errno != Libc.EINPROGRESS) throw Libc.failure("connect to " + to, errno);
                        if (!fd.ready(Libc.POLLOUT, timeout)) throw new OsException("connect to " + to + ": no answer in " + timeout.toSeconds() + " s", Libc.EAGAIN);
                        int pending = getInt(fd, Libc.SOL_SOCKET, Libc.SO_ERROR);
                        if (pending != 0) throw Libc.failure("connect to " + to, pending);
                    }
                    ignored = (int) Libc.FCNTL.invokeExact(err, fd.value(), Libc.F_SETFL, flags);
                    setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1);
                    return fd.renamed("TCP connection to " + to);
                } catch (Throwable t) {
                    fd.close();
                    throw t;
                }
            }
        });
    }

    /** Makes {@code fd} fail once data it sent goes unacknowledged, or the peer stops answering probes, that long. */
    public static void watch(Fd fd, Liveness l) throws OsException {
        setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT, (int) l.unacknowledged().toMillis());
        setInt(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1);
        setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPIDLE, (int) Math.max(1, l.idle().toSeconds()));
        setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPINTVL, (int) Math.max(1, l.probeInterval().toSeconds()));
        setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPCNT, l.probes());
    }

    /** Sends all of {@code bytes} within {@code timeout}. */
    public static void write(Fd fd, byte[] bytes, Duration timeout) throws OsException {
        long deadline = System.nanoTime() + timeout.toNanos();
        blocking(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoSlot(a);
                MemorySegment data = a.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
                long off = 0;
                while (off < bytes.length) {
                    if (!fd.ready(Libc.POLLOUT, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                        throw new OsException("send on " + fd.what() + ": no room in time", Libc.EAGAIN);
                    }
                    long n = (long) Libc.SEND.invokeExact(err, fd.value(), data.asSlice(off), bytes.length - off, Libc.MSG_NOSIGNAL);
                    if (n < 0 && Libc.errno(err) != Libc.EINTR) throw Libc.failure("send on " + fd.what(), Libc.errno(err));
                    if (n > 0) off += n;
                }
                return null;
            }
        });
    }

    /** Exactly {@code n} bytes, read within {@code timeout}; fails at the end of the stream or when time is up. */
    public static byte[] read(Fd fd, int n, Duration timeout) throws OsException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return blocking(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoSlot(a);
                MemorySegment buf = a.allocate(n);
                long off = 0;
                while (off < n) {
                    if (!fd.ready(Libc.POLLIN, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                        throw new OsException("read on " + fd.what() + ": nothing in time", Libc.EAGAIN);
                    }
                    long got = (long) Libc.READ.invokeExact(err, fd.value(), buf.asSlice(off), n - off);
                    if (got == 0) throw new OsException("read on " + fd.what() + ": the peer closed", 0);
                    if (got < 0 && Libc.errno(err) != Libc.EINTR) throw Libc.failure("read on " + fd.what(), Libc.errno(err));
                    if (got > 0) off += got;
                }
                return buf.toArray(ValueLayout.JAVA_BYTE);
            }
        });
    }

    private static Fd socket(InetAddress address, MemorySegment err) throws Throwable {
        int family = address instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
        int s = (int) Libc.SOCKET.invokeExact(err, family, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw Libc.failure("socket", Libc.errno(err));
        return new Fd(s, "TCP socket");
    }

    /** struct sockaddr_in, or sockaddr_in6, of {@code to}. */
    private static MemorySegment sockaddr(Arena a, InetSocketAddress to) throws UnknownHostException {
        InetAddress address = to.getAddress();
        if (address == null) throw new UnknownHostException(to.getHostString());
        byte[] raw = address.getAddress();
        MemorySegment s = a.allocate(address instanceof Inet4Address ? 16 : SOCKADDR_SIZE, 4);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) (address instanceof Inet4Address ? Libc.AF_INET : Libc.AF_INET6));
        s.set(PORT, 2, (short) to.getPort());
        if (address instanceof Inet6Address v6) {
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
            s.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
        } else {
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
        }
        return s;
    }

    private static void setInt(Fd fd, int level, int option, int value) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment v = a.allocateFrom(ValueLayout.JAVA_INT, value);
            if ((int) Libc.SETSOCKOPT.invokeExact(err, fd.value(), level, option, v, 4) < 0) {
                throw Libc.failure("setsockopt " + level + "/" + option + " on " + fd.what(), Libc.errno(err));
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static int getInt(Fd fd, int level, int option) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, 4);
            if ((int) Libc.GETSOCKOPT.invokeExact(err, fd.value(), level, option, v, len) < 0) throw Libc.failure("getsockopt", Libc.errno(err));
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** A piece of work of downcalls, which declare Throwable. */
    private interface Native<T> { T call() throws Throwable; }

    /** What can block in native code, run on a platform thread rather than pinning a virtual thread's carrier. */
    private static <T> T blocking(Native<T> work) throws OsException {
        try {
            return BLOCKING.submit(() -> {
                try {
                    return work.call();
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
            }).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof OsException o) throw o;
            if (c instanceof UnknownHostException u) throw new OsException("unknown address " + u.getMessage(), 0);
            throw Libc.unexpected(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OsException("interrupted", Libc.EINTR);
        }
    }
}

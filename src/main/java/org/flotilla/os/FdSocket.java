package org.flotilla.os;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A client of a unix stream socket that can send descriptors with its bytes (SCM_RIGHTS), as QEMU's monitor
 * takes them for {@code add-fd} and {@code getfd}; the JDK's unix channels cannot. Line-oriented reads with a
 * deadline. Its calls block the thread that makes them: use it from a platform thread.
 */
public final class FdSocket implements AutoCloseable {
    private final Fd fd;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private FdSocket(Fd fd) { this.fd = fd; }

    public static FdSocket connect(Path socket) throws OsException {
        byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= 108) throw new OsException("socket path too long: " + socket, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int s = (int) Libc.SOCKET.invokeExact(err, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
            if (s < 0) throw Libc.failure("socket", Libc.errno(err));
            Fd fd = new Fd(s, socket.toString());
            MemorySegment addr = a.allocate(110, 8);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(path, 0, addr, ValueLayout.JAVA_BYTE, 2, path.length);
            if ((int) Libc.CONNECT.invokeExact(err, s, addr, 2 + path.length + 1) < 0) {
                int errno = Libc.errno(err);
                fd.close();
                throw Libc.failure("connect " + socket, errno);
            }
            return new FdSocket(fd);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Sends all of {@code bytes}, the descriptors riding with the first byte. */
    public void send(byte[] bytes, List<Fd> fds) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(a);
            int off = 0;
            boolean withFds = !fds.isEmpty();
            while (off < bytes.length) {
                MemorySegment data = a.allocate(bytes.length - off);
                MemorySegment.copy(bytes, off, data, ValueLayout.JAVA_BYTE, 0, bytes.length - off);
                MemorySegment iov = a.allocate(16, 8);
                iov.set(ValueLayout.ADDRESS, 0, data);
                iov.set(ValueLayout.JAVA_LONG, 8, bytes.length - off);
                MemorySegment msg = a.allocate(56, 8);
                msg.set(ValueLayout.ADDRESS, 16, iov);
                msg.set(ValueLayout.JAVA_LONG, 24, 1);
                if (withFds) {
                    long len = 16 + 4L * fds.size();
                    long space = 16 + ((4L * fds.size() + 7) & ~7L);
                    MemorySegment control = a.allocate(space, 8);
                    control.set(ValueLayout.JAVA_LONG, 0, len);
                    control.set(ValueLayout.JAVA_INT, 8, Libc.SOL_SOCKET);
                    control.set(ValueLayout.JAVA_INT, 12, Libc.SCM_RIGHTS);
                    for (int i = 0; i < fds.size(); i++) control.set(ValueLayout.JAVA_INT, 16 + 4L * i, fds.get(i).value());
                    msg.set(ValueLayout.ADDRESS, 32, control);
                    msg.set(ValueLayout.JAVA_LONG, 40, space);
                }
                long n = (long) Libc.SENDMSG.invokeExact(err, fd.value(), msg, Libc.MSG_NOSIGNAL);
                if (n < 0) {
                    int errno = Libc.errno(err);
                    if (errno == Libc.EINTR) continue;
                    throw Libc.failure("send on " + fd.what(), errno);
                }
                withFds = false;
                off += (int) n;
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The next line (without its newline), waiting until {@code deadlineNanos} (System.nanoTime); null at end of stream. */
    public String readLine(long deadlineNanos) throws OsException {
        while (true) {
            byte[] buf = pending.toByteArray();
            for (int i = 0; i < buf.length; i++) {
                if (buf[i] == '\n') {
                    pending.reset();
                    pending.write(buf, i + 1, buf.length - i - 1);
                    return new String(buf, 0, i, StandardCharsets.UTF_8);
                }
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) throw new OsException("no answer on " + fd.what() + " in time", Libc.EAGAIN);
            if (!readSome((int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)))) return null;
        }
    }

    /** Reads what is there within {@code timeoutMillis}; false at end of stream. */
    private boolean readSome(int timeoutMillis) throws OsException {
        try (Arena a = Arena.ofConfined()) {
            if (!fd.ready(Libc.POLLIN, Duration.ofMillis(timeoutMillis))) return true;
            MemorySegment err = Libc.errnoSlot(a);
            MemorySegment buf = a.allocate(8192);
            long n = (long) Libc.READ.invokeExact(err, fd.value(), buf, 8192L);
            if (n < 0) {
                if (Libc.errno(err) == Libc.EINTR) return true;
                throw Libc.failure("read " + fd.what(), Libc.errno(err));
            }
            if (n == 0) return false;
            pending.writeBytes(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            return true;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @Override
    public void close() { fd.close(); }
}

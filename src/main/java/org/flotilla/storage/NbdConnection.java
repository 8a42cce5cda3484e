package org.flotilla.storage;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The client side of NBD (the fixed newstyle handshake, then simple replies), as far as the daemon needs it to stream a
 * disk that a {@link BlockExports} serves on a unix socket of its own: reads and writes at offsets, one request at a
 * time here, several in flight through an {@link NbdPipeline} on the same connection. So the bytes of an HTTP import or export pass through one buffer of the caller's, whatever the disk's size,
 * and QEMU, which opened the images from the pool's records, is what reads and writes them.
 */
final class NbdConnection implements AutoCloseable {
    /** QEMU's server takes requests up to 32 MiB; the callers use far less. */
    static final int MAX_REQUEST = 32 << 20;
    private static final int SOCKET_BUFFER = 4 << 20;
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    private static final int REQUEST_MAGIC = 0x25609513;
    static final int REPLY_MAGIC = 0x67446698;
    static final int OPT_EXPORT_NAME = 1;
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;
    static final short CMD_READ = 0;
    static final short CMD_WRITE = 1;
    private static final short CMD_DISC = 2;
    static final short CMD_FLUSH = 3;
    static final short CMD_WRITE_ZEROES = 6;
    /** The transmission flag of a server that takes {@link #CMD_WRITE_ZEROES}. */
    static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long size;
    private final int transmissionFlags;
    private long handle;

    private NbdConnection(SocketChannel channel, DataInputStream in, DataOutputStream out, long size, int transmissionFlags) {
        this.channel = channel;
        this.in = in;
        this.out = out;
        this.size = size;
        this.transmissionFlags = transmissionFlags;
    }

    /** Connects to export {@code name} of the server at {@code socket}. */
    static NbdConnection open(Path socket, String name) throws IOException {
        SocketChannel ch = connect(UnixDomainSocketAddress.of(socket));
        try {
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 65536));
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 65536));
            if (in.readLong() != NBDMAGIC || in.readLong() != IHAVEOPT) throw new IOException("not a newstyle NBD server");
            int serverFlags = in.readUnsignedShort();
            if ((serverFlags & FLAG_FIXED_NEWSTYLE) == 0) throw new IOException("the NBD server is not fixed newstyle");
            boolean noZeroes = (serverFlags & FLAG_NO_ZEROES) != 0;
            out.writeInt(FLAG_FIXED_NEWSTYLE | (noZeroes ? FLAG_NO_ZEROES : 0));
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            out.writeLong(IHAVEOPT);
            out.writeInt(OPT_EXPORT_NAME);
            out.writeInt(n.length);
            out.write(n);
            out.flush();
            long size = in.readLong();
            int flags = in.readUnsignedShort();
            if (!noZeroes) in.readFully(new byte[124]);
            return new NbdConnection(ch, in, out, size, flags);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * A connection to the server's socket. QEMU makes the socket's file when it binds, a moment before it listens, and
     * {@link BlockExports} waits for the file: a refusal in that moment is tried again, for a bounded while.
     */
    private static SocketChannel connect(UnixDomainSocketAddress address) throws IOException {
        for (int attempt = 1; ; attempt++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                // room for a whole 2 MiB request in the socket, so that sending one does not wait on the server piece
                // by piece (the kernel caps it at net.core.wmem_max)
                ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
                ch.connect(address);
                return ch;
            } catch (java.net.SocketException e) {
                ch.close();
                if (attempt == 100) throw e;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while connecting to " + address);
            }
        }
    }

    /** The export's size in bytes. */
    long size() { return size; }

    /** The transmission flags the server gave (read-only, flush, and what else it takes). */
    int transmissionFlags() { return transmissionFlags; }

    /** The server's side of transmission, for a relay ({@link NbdServer}) that passes a client's requests on as they are. */
    InputStream input() { return in; }

    OutputStream output() { return out; }

    /** Sends a request's header (not its payload) under {@code handle}, for a caller that numbers its own requests. */
    void request(short type, long handle, long offset, int length) throws IOException {
        if (length < 0 || length > MAX_REQUEST) throw new IllegalArgumentException("NBD request of " + length + " bytes");
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt(length);
    }

    /** Reads {@code length} bytes at {@code offset} into {@code buf} from {@code off}. */
    void read(long offset, byte[] buf, int off, int length) throws IOException {
        request(CMD_READ, offset, length);
        out.flush();
        reply();
        in.readFully(buf, off, length);
    }

    /** Writes {@code length} bytes of {@code buf} from {@code off} at {@code offset}. */
    void write(long offset, byte[] buf, int off, int length) throws IOException {
        request(CMD_WRITE, offset, length);
        out.write(buf, off, length);
        out.flush();
        reply();
    }

    /** Asks the server to make what was written durable. */
    void flush() throws IOException {
        request(CMD_FLUSH, 0, 0);
        out.flush();
        reply();
    }

    private void request(short type, long offset, int length) throws IOException { request(type, ++handle, offset, length); }

    private void reply() throws IOException {
        if (in.readInt() != REPLY_MAGIC) throw new IOException("NBD: not a simple reply");
        int error = in.readInt();
        if (in.readLong() != handle) throw new IOException("NBD: a reply to another request");
        if (error != 0) throw new IOException("NBD: the server answered error " + error);
    }

    @Override
    public void close() throws IOException {
        try {
            request(CMD_DISC, 0, 0);
            out.flush();
        } catch (IOException | RuntimeException ignored) {
            // the server is going or gone: closing the socket is all that is left
        } finally {
            channel.close();
        }
    }

}

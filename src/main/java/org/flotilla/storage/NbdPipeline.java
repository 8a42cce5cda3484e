package org.flotilla.storage;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Several NBD requests in flight on one {@link NbdConnection}, as NBD allows (each reply names its request's handle,
 * and QEMU's server answers them in any order): the caller's thread sends, a thread of its own reads the replies. A
 * write returns once its bytes are sent, so the caller reads the next part of its stream while QEMU writes the last;
 * a read returns a future that completes when its bytes are in the caller's buffer. At most {@code depth} requests
 * are unanswered at once, which bounds what the caller must hold. The server may carry out requests in flight in any
 * order, so a request that touches a range a write in flight changes waits for every answer first. A request the
 * server refuses fails the next call (or {@link #drain}): a stream is only right if every write of it was.
 */
final class NbdPipeline implements AutoCloseable {
    /** The bytes QEMU's server is asked to zero at once: the most any request of ours asks. */
    private static final int MAX_ZEROES = NbdConnection.MAX_REQUEST;
    private static final byte[] ZEROS = new byte[64 << 10];
    /** What one socket write is handed; more than the output's buffer, so it goes straight to the socket. */
    private static final int SLICE = 256 << 10;

    /** A request unanswered: where a read's bytes go, or the range a write changes. */
    private record Pending(long offset, long length, boolean writes, byte[] into, int off, CompletableFuture<Void> done) {
        boolean overlaps(long at, long len) { return writes && at < offset + length && offset < at + len; }
    }

    private final NbdConnection nbd;
    private final DataInputStream in;
    private final OutputStream out;
    private final int depth;
    private final Semaphore slots;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Thread replies;
    private volatile IOException failed;
    private long handle;

    NbdPipeline(NbdConnection nbd, int depth) {
        this.nbd = nbd;
        this.in = new DataInputStream(nbd.input());
        this.out = nbd.output();
        this.depth = depth;
        this.slots = new Semaphore(depth);
        // a platform thread: it blocks in reads of megabytes, which a virtual thread would park and resume piece by piece
        this.replies = Thread.ofPlatform().daemon().name("nbd-replies").start(this::readReplies);
    }

    /** Sends a write of {@code len} bytes of {@code buf} at {@code offset}; {@code buf} is the caller's again on return. */
    void write(long offset, byte[] buf, int off, int len) throws IOException {
        send(NbdConnection.CMD_WRITE, offset, len, null, 0);
        out.flush();
        // in slices: the JDK copies what is left of a heap array into a direct buffer at each try of a socket write, so
        // a 2 MiB array sent into a socket that takes less at once would be copied over and over
        for (int at = 0; at < len; at += SLICE) out.write(buf, off + at, Math.min(SLICE, len - at));
        out.flush();
    }

    /**
     * Writes {@code len} bytes of {@code buf} at {@code offset}, asking the server to zero the runs of whole
     * {@code grain}-byte pieces that are all zeros rather than sending them: they stay unallocated in the image (a
     * qcow2 zero cluster over a backing file), and reading them gives zeros, whatever was there before.
     */
    void writeSparse(long offset, byte[] buf, int off, int len, int grain) throws IOException {
        int end = off + len;
        for (int at = off; at < end; ) {
            boolean zero = isZero(buf, at, Math.min(grain, end - at));
            int run = at;
            while (run < end && isZero(buf, run, Math.min(grain, end - run)) == zero) run += Math.min(grain, end - run);
            if (zero) zero(offset + (at - off), run - at);
            else write(offset + (at - off), buf, at, run - at);
            at = run;
        }
    }

    /** Makes {@code len} bytes at {@code offset} read as zeros. */
    void zero(long offset, long len) throws IOException {
        if ((nbd.transmissionFlags() & NbdConnection.FLAG_SEND_WRITE_ZEROES) == 0) {
            for (long done = 0; done < len; done += ZEROS.length) write(offset + done, ZEROS, 0, (int) Math.min(ZEROS.length, len - done));
            return;
        }
        for (long done = 0; done < len; done += MAX_ZEROES) {
            send(NbdConnection.CMD_WRITE_ZEROES, offset + done, (int) Math.min(MAX_ZEROES, len - done), null, 0);
            out.flush();
        }
    }

    /** Asks for {@code len} bytes at {@code offset} into {@code buf} from {@code off}; they are there when the future completes. */
    CompletableFuture<Void> read(long offset, byte[] buf, int off, int len) throws IOException {
        CompletableFuture<Void> done = send(NbdConnection.CMD_READ, offset, len, buf, off);
        out.flush();
        return done;
    }

    /** Waits for the bytes of a {@link #read}, failing as it did. */
    static void await(CompletableFuture<Void> read) throws IOException {
        try {
            read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading over NBD");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** Waits until every request sent is answered; fails if any was refused. */
    void drain() throws IOException {
        acquire(depth);
        slots.release(depth);
        check();
    }

    /** Makes durable what was written: every write answered, then the server's flush. */
    void flush() throws IOException {
        drain();
        CompletableFuture<Void> done = send(NbdConnection.CMD_FLUSH, 0, 0, null, 0);
        out.flush();
        await(done);
    }

    private CompletableFuture<Void> send(short type, long offset, int len, byte[] into, int off) throws IOException {
        if (pending.values().stream().anyMatch(p -> p.overlaps(offset, len))) drain();
        acquire(1);
        try {
            check();
        } catch (IOException e) {
            slots.release();
            throw e;
        }
        var done = new CompletableFuture<Void>();
        long h = ++handle;
        // in the map before the request goes: the reply may come before the next line runs
        boolean writes = type == NbdConnection.CMD_WRITE || type == NbdConnection.CMD_WRITE_ZEROES;
        pending.put(h, new Pending(offset, len, writes, into, off, done));
        nbd.request(type, h, offset, len);
        return done;
    }

    private void acquire(int n) throws IOException {
        try {
            slots.acquire(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for NBD replies");
        }
    }

    private void check() throws IOException {
        IOException e = failed;
        if (e != null) throw new IOException(e.getMessage(), e);
    }

    private void readReplies() {
        try {
            while (true) {
                if (in.readInt() != NbdConnection.REPLY_MAGIC) throw new IOException("NBD: not a simple reply");
                int error = in.readInt();
                Pending p = pending.remove(in.readLong());
                if (p == null) throw new IOException("NBD: a reply to no request");
                if (error != 0) {
                    IOException e = new IOException("NBD: the server answered error " + error);
                    failed = e;
                    p.done().completeExceptionally(e);
                } else {
                    if (p.into() != null) in.readFully(p.into(), p.off(), (int) p.length());
                    p.done().complete(null);
                }
                slots.release();
            }
        } catch (IOException e) {
            // the connection closed (the end of the stream) or broke: what is still unanswered never will be
            if (failed == null) failed = e;
            pending.values().forEach(p -> p.done().completeExceptionally(e));
            pending.clear();
            slots.release(depth);
        }
    }

    private static boolean isZero(byte[] b, int off, int len) {
        for (int at = off; at < off + len; at += ZEROS.length) {
            int n = Math.min(ZEROS.length, off + len - at);
            if (Arrays.mismatch(b, at, at + n, ZEROS, 0, n) >= 0) return false;
        }
        return true;
    }

    /** Closes the connection (the server is told), which ends the thread that reads its replies. */
    @Override
    public void close() throws IOException {
        try {
            nbd.close();
        } finally {
            try {
                replies.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

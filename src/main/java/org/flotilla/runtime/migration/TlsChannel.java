package org.flotilla.runtime.migration;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over a blocking TCP channel with an {@link SSLEngine}, for a relay's virtual threads: one may read while another
 * writes (an NBD connection's two directions). Records are made and taken in direct buffers of several records each,
 * so that a relay's large chunk costs one encryption pass and few system calls, and a reader with room for a whole
 * record has it decrypted straight into its own buffer.
 */
final class TlsChannel implements RelayEnd {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    /** Records gathered before they are written, and room for records read ahead. */
    private static final int RECORDS_OUT = 8;
    private static final int RECORDS_IN = 16;

    private final SocketChannel tcp;
    private final SSLEngine engine;
    private final int recordSize;
    private final Object reading = new Object();
    private final Object writing = new Object();
    /** Records read and not yet decrypted (read mode between calls: flipped, compacted after each unwrap). */
    private final ByteBuffer netIn;
    /** Decrypted bytes a reader with too small a buffer has not taken yet (flipped: ready to read). */
    private final ByteBuffer appIn;
    /** Records made and not yet written. */
    private final ByteBuffer netOut;
    private boolean inboundClosed;

    private TlsChannel(SocketChannel tcp, SSLEngine engine) {
        this.tcp = tcp;
        this.engine = engine;
        this.recordSize = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(recordSize * RECORDS_IN).flip();
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocateDirect(recordSize * RECORDS_OUT);
    }

    /** Runs the handshake on {@code tcp} (blocking) and returns the channel ready for data. */
    static TlsChannel handshake(SocketChannel tcp, SSLEngine engine) throws IOException {
        var t = new TlsChannel(tcp, engine);
        t.handshake();
        return t;
    }

    private void handshake() throws IOException {
        try {
            engine.beginHandshake();
            HandshakeStatus hs = engine.getHandshakeStatus();
            while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
                hs = switch (hs) {
                    case NEED_WRAP -> wrapHandshake();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapHandshake();
                    case NEED_TASK -> runTasks();
                    default -> throw new IllegalStateException("handshake status " + hs);
                };
            }
        } catch (SSLException e) {
            sendAlert();
            throw e;
        }
    }

    private HandshakeStatus wrapHandshake() throws IOException {
        synchronized (writing) {
            SSLEngineResult r = engine.wrap(NOTHING, netOut);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) throw new SSLException("the TLS engine closed during the handshake");
            flush();
            return r.getHandshakeStatus();
        }
    }

    private HandshakeStatus unwrapHandshake() throws IOException {
        synchronized (reading) {
            while (true) {
                SSLEngineResult r = unwrap(appIn);
                switch (r.getStatus()) {
                    case OK -> { return r.getHandshakeStatus(); }
                    case BUFFER_UNDERFLOW -> {
                        if (fill() < 0) throw new EOFException("the peer closed the connection during the TLS handshake");
                    }
                    case CLOSED -> throw new SSLException("the peer closed TLS during the handshake");
                    case BUFFER_OVERFLOW -> throw new SSLException("a handshake message larger than a record");
                }
            }
        }
    }

    /** The peer learns why (a refused certificate, say), as far as it still listens. */
    private void sendAlert() {
        synchronized (writing) {
            try {
                engine.closeOutbound();
                while (!engine.isOutboundDone()) {
                    if (engine.wrap(NOTHING, netOut).bytesProduced() == 0) break;
                }
                flush();
            } catch (IOException e) {
                // the connection is being refused either way
            }
        }
    }

    private HandshakeStatus runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) task.run();
        return engine.getHandshakeStatus();
    }

    /** Decrypts from {@link #netIn} into {@code dst} (in write mode). */
    private SSLEngineResult unwrap(ByteBuffer dst) throws SSLException {
        boolean intoAppIn = dst == appIn;
        if (intoAppIn) appIn.compact();
        try {
            return engine.unwrap(netIn, dst);
        } finally {
            if (intoAppIn) appIn.flip();
        }
    }

    /** Reads more records from the peer; -1 at its end. */
    private int fill() throws IOException {
        netIn.compact();
        try {
            if (!netIn.hasRemaining()) throw new SSLException("a TLS record larger than the buffer");
            return tcp.read(netIn);
        } finally {
            netIn.flip();
        }
    }

    private void flush() throws IOException {
        netOut.flip();
        while (netOut.hasRemaining()) tcp.write(netOut);
        netOut.clear();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (reading) {
            // a buffer with room for a whole record has it decrypted in place; a smaller one (a token's) through appIn
            boolean inPlace = dst.remaining() >= appIn.capacity();
            while (true) {
                if (appIn.hasRemaining()) return take(dst);
                if (inboundClosed) return -1;
                SSLEngineResult r = unwrap(inPlace ? dst : appIn);
                afterStep(r.getHandshakeStatus());
                switch (r.getStatus()) {
                    case OK -> {
                        if (inPlace && r.bytesProduced() > 0) return r.bytesProduced() + readAhead(dst);
                    }
                    case BUFFER_UNDERFLOW -> {
                        // a TCP end without TLS's close_notify is a stream cut short, not a stream ended
                        if (fill() < 0) throw new EOFException("the connection ended without TLS's close_notify");
                    }
                    case CLOSED -> inboundClosed = true;
                    case BUFFER_OVERFLOW -> {
                        if (!inPlace) throw new SSLException("a TLS record larger than the session's application buffer");
                        inPlace = false;
                    }
                }
            }
        }
    }

    /** Decrypts the whole records already read into {@code dst} while it has room for them: fewer, larger writes onward. */
    private int readAhead(ByteBuffer dst) throws IOException {
        int n = 0;
        while (dst.remaining() >= appIn.capacity() && netIn.hasRemaining()) {
            SSLEngineResult r = unwrap(dst);
            afterStep(r.getHandshakeStatus());
            n += r.bytesProduced();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) inboundClosed = true;
            if (r.getStatus() != SSLEngineResult.Status.OK) break;
        }
        return n;
    }

    private int take(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        ByteBuffer slice = appIn.slice(appIn.position(), n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        return n;
    }

    /** What the engine asks for after taking a record: a post-handshake message may want an answer (a key update). */
    private void afterStep(HandshakeStatus hs) throws IOException {
        if (hs == HandshakeStatus.NEED_TASK) hs = runTasks();
        if (hs == HandshakeStatus.NEED_WRAP) wrapHandshake();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (writing) {
            int consumed = 0;
            while (src.hasRemaining()) {
                SSLEngineResult r = engine.wrap(src, netOut);
                consumed += r.bytesConsumed();
                switch (r.getStatus()) {
                    case OK -> {
                        if (netOut.remaining() < recordSize) flush();
                    }
                    case BUFFER_OVERFLOW -> flush();
                    case CLOSED -> throw new ClosedChannelException();
                    case BUFFER_UNDERFLOW -> throw new SSLException("the TLS engine wanted more to wrap");
                }
                if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) runTasks();
            }
            flush();
            return consumed;
        }
    }

    /** Sends TLS's close_notify, then ends TCP's sending half: TLS 1.3 lets the other direction go on. */
    @Override
    public void shutdownOutput() throws IOException {
        synchronized (writing) {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult r = engine.wrap(NOTHING, netOut);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) flush();
                else if (r.bytesProduced() == 0) break;
            }
            flush();
            tcp.shutdownOutput();
        }
    }

    @Override
    public boolean isOpen() { return tcp.isOpen(); }

    @Override
    public void close() throws IOException { tcp.close(); }
}

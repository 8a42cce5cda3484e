package org.flotilla.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flotilla.api.HttpTask;
import org.flotilla.api.TunnelOutcome;

/**
 * Joins a client's connection to an upstream stream. Bytes from upstream go to the client on a virtual thread of
 * their own; the transport hands the client's bytes to {@link #toUpstream}. When either side ends, both are closed,
 * and the stream's task ends in success.
 */
final class Splice {
    /** The client's side, as its transport writes and closes it. */
    interface Downstream {
        /** Sends the bytes, returning once they are handed over (the buffer is reused afterwards). */
        void send(ByteBuffer bytes) throws Exception;

        void close();
    }

    private final ByteChannel upstream;
    private final HttpTask task;
    private final Downstream downstream;
    private final AtomicBoolean closed = new AtomicBoolean();

    Splice(TunnelOutcome.Opened opened, Downstream downstream) {
        this.upstream = opened.upstream();
        this.task = opened.task();
        this.downstream = downstream;
    }

    void start(String name) { Thread.ofVirtual().name(name).start(this::upstreamToClient); }

    private void upstreamToClient() {
        var buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (upstream.read(buf.clear()) >= 0) {
                downstream.send(buf.flip());
            }
        } catch (Exception e) {
            // one side went away: both are closed below
        } finally {
            close();
        }
    }

    void toUpstream(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) upstream.write(bytes);
    }

    void close() {
        if (!closed.compareAndSet(false, true)) return;
        closeQuietly(upstream);
        downstream.close();
        task.success();
    }

    static void closeQuietly(ByteChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}

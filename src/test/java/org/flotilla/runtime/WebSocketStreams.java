package org.flotilla.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JDK WebSocket's binary messages as streams: what arrives is read from {@link #in}, what is written to
 * {@link #out} goes as one binary message per flush. Reads wait at most {@code readTimeout}.
 */
final class WebSocketStreams implements WebSocket.Listener {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final Duration readTimeout;
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile WebSocket socket;

    WebSocketStreams(Duration readTimeout) { this.readTimeout = readTimeout; }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        received.add(b);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        received.add(END);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
        received.add(END);
    }

    final InputStream in = new InputStream() {
        private byte[] chunk = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (pos == chunk.length) {
                if (chunk == END) return -1;
                try {
                    chunk = received.poll(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                if (chunk == null) throw new IOException("nothing received within " + readTimeout);
                pos = 0;
                if (chunk == END) return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    };

    final OutputStream out = new OutputStream() {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override public void write(int b) { pending.write(b); }

        @Override public void write(byte[] b, int off, int len) { pending.write(b, off, len); }

        @Override
        public void flush() {
            socket.sendBinary(ByteBuffer.wrap(pending.toByteArray()), true).join();
            pending.reset();
        }
    };
}

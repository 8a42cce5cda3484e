package org.flotilla.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test's own hop between two hosts: relays every connection made to it to one port of the destination, both ways,
 * and records what the connecting side sends — the first bytes of the first connection, how many bytes in all, and
 * whether the strings looked for appear in them.
 */
final class WireRecorder implements AutoCloseable {
    private final ServerSocketChannel server;
    private final AtomicLong carried = new AtomicLong();
    private final Map<String, Search> searches = new ConcurrentHashMap<>();
    private final ByteBuffer first = ByteBuffer.allocate(128);
    private final List<Thread> relays = new CopyOnWriteArrayList<>();

    WireRecorder(String... lookFor) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (String s : lookFor) searches.put(s, new Search(s));
    }

    /** Starts relaying to {@code address}:{@code port}; returns the recorder's own port, for the source. */
    int forwardTo(String address, int port) {
        relays.add(Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    SocketChannel from = server.accept();
                    relays.add(Thread.ofVirtual().start(() -> relay(from, address, port)));
                }
            } catch (IOException e) {
                // closed
            }
        }));
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    private void relay(SocketChannel from, String address, int port) {
        try (from; SocketChannel to = SocketChannel.open(new InetSocketAddress(address, port))) {
            Thread back = Thread.ofVirtual().start(() -> copy(to, from, false));
            copy(from, to, true);
            back.join();
        } catch (IOException | InterruptedException e) {
            // the migration's outcome says what happened
        }
    }

    private void copy(SocketChannel from, SocketChannel to, boolean record) {
        ByteBuffer buf = ByteBuffer.allocate(128 << 10);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                if (record) record(buf);
                while (buf.hasRemaining()) to.write(buf);
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side went
        }
    }

    private synchronized void record(ByteBuffer buf) {
        int n = buf.remaining();
        carried.addAndGet(n);
        byte[] b = new byte[n];
        buf.duplicate().get(b);
        if (first.hasRemaining()) first.put(b, 0, Math.min(first.remaining(), n));
        for (Search s : searches.values()) s.feed(b, n);
    }

    long carried() { return carried.get(); }

    synchronized byte[] first() { return Arrays.copyOf(first.array(), first.position()); }

    synchronized boolean saw(String s) { return searches.get(s).found; }

    @Override
    public void close() throws Exception {
        server.close();
        for (Thread t : relays) t.join(TimeUnit.SECONDS.toMillis(10));
    }

    /** Finds a string in bytes fed piece by piece. */
    static final class Search {
        private final byte[] needle;
        private byte[] tail = new byte[0];
        boolean found;

        Search(String s) { needle = s.getBytes(StandardCharsets.US_ASCII); }

        void feed(byte[] b, int n) {
            if (found) return;
            byte[] hay = new byte[tail.length + n];
            System.arraycopy(tail, 0, hay, 0, tail.length);
            System.arraycopy(b, 0, hay, tail.length, n);
            found = indexOf(hay) >= 0;
            tail = Arrays.copyOfRange(hay, Math.max(0, hay.length - needle.length + 1), hay.length);
        }

        private int indexOf(byte[] hay) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
                return i;
            }
            return -1;
        }
    }
}

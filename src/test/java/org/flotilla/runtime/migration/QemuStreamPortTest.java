package org.flotilla.runtime.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The destination's port for a memory stream, over real TCP on loopback: who it lets in, and how many it reads at once. */
class QemuStreamPortTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void connectionsPastTheBoundAreClosedUnreadAndTheSourceStillGetsInAfterThem() throws Exception {
        String token = OneTimeToken.create();
        var taken = new CompletableFuture<Void>();
        var silent = new ArrayList<Socket>();
        try (var port = QemuStreamPort.open(LOOPBACK, token, fd -> taken.complete(null))) {
            for (int i = 0; i < QemuStreamPort.READ_AT_ONCE; i++) silent.add(new Socket(LOOPBACK, port.port()));
            try (var extra = new Socket(LOOPBACK, port.port())) {
                extra.setSoTimeout(5_000);
                assertEquals(-1, extra.getInputStream().read(), "closed unread while the others are being read");
            }
            assertEquals(1, port.refusedUnread());

            // a wrong token is refused; once the knockers are gone, the source's connection is let in
            for (Socket s : silent) s.close();
            // their readers see them closed in their own time: until then a new connection would be closed unread
            awaitNoneRead(port);
            try (var wrong = new Socket(LOOPBACK, port.port())) {
                wrong.getOutputStream().write(("x".repeat(OneTimeToken.LENGTH) + "\n").getBytes(StandardCharsets.US_ASCII));
                wrong.setSoTimeout(5_000);
                assertEquals(-1, readUntilClosed(wrong.getInputStream()));
            }
            assertFalse(taken.isDone(), "no stream taken on a wrong token");
            awaitNoneRead(port);
            assertEquals(1, port.refusedUnread(), "none but the one past the bound was closed unread");
            try (var source = new Socket(LOOPBACK, port.port())) {
                source.getOutputStream().write((token + "\n").getBytes(StandardCharsets.US_ASCII));
                taken.get(5, TimeUnit.SECONDS);
            }
        } finally {
            for (Socket s : silent) s.close();
        }
    }

    private static void awaitNoneRead(QemuStreamPort port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (port.beingRead() > 0) {
            if (System.nanoTime() > deadline) throw new AssertionError(port.beingRead() + " connections still being read");
            Thread.sleep(10);
        }
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        int b;
        while ((b = in.read()) != -1) { /* nothing is sent */ }
        return b;
    }
}

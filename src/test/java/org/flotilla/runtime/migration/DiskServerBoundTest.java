package org.flotilla.runtime.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.os.TcpSockets;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.storage.BlockExports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBD server a halted VM's disks arrive through (a real qemu-storage-daemon over TLS, on loopback) lets in as many
 * clients at once as {@link BlockExports#connectionsFor} says: one more waits, unanswered, until a place is free.
 */
class DiskServerBoundTest {
    private static final byte[] GREETING = "NBDMAGIC".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;

    @Test
    void clientsPastTheBoundWaitUntilOneLeaves() throws Exception {
        Path image = dir.resolve("d0.qcow2");
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "1M").inheritIO().start().waitFor();
        String blockdev = "{\"driver\":\"qcow2\",\"node-name\":\"d0\",\"file\":{\"driver\":\"file\",\"filename\":\"" + image + "\"}}";
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Path tls = QemuTls.make().writeTempFiles(QemuTls.End.SERVER, QemuTls.make().certificate());
        var clients = new ArrayList<Socket>();
        try (var listening = TcpSockets.listen(loopback, 8);
             var served = BlockExports.startOverTls(List.of(blockdev), List.of(new BlockExports.Export("d0", "d0", true)), listening.fd(), tls)) {
            int bound = BlockExports.connectionsFor(1);
            for (int i = 0; i < bound; i++) {
                Socket s = new Socket(loopback, listening.port());
                clients.add(s);
                assertArrayEquals(GREETING, greeting(s, 5_000), "client " + i + " is let in");
            }
            Socket waiting = new Socket(loopback, listening.port());
            clients.add(waiting);
            assertThrows(SocketTimeoutException.class, () -> greeting(waiting, 1_500), "past the bound, no answer");
            clients.getFirst().close();
            assertArrayEquals(GREETING, greeting(waiting, 5_000), "let in once another left");
        } finally {
            for (Socket s : clients) s.close();
            HostFiles.deleteTree(tls);
        }
    }

    private static byte[] greeting(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        return s.getInputStream().readNBytes(GREETING.length);
    }
}

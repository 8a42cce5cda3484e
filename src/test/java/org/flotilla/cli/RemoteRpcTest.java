package org.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A call to another host that takes long is waited for while the host answers, and ended once it does not. */
class RemoteRpcTest {
    private static final RemoteRpc.Liveness QUICK = new RemoteRpc.Liveness(Duration.ofMillis(200), Duration.ofMillis(300), 2);

    /** The kernel takes the connection, as it does for a daemon that is stopped, but nothing ever answers. */
    @Test
    @Timeout(30) // without the watch, the call waits for ever
    void aHostThatTakesTheConnectionAndNeverAnswersIsUnreachable() throws Exception {
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var rpc = RemoteRpc.of("127.0.0.1", silent.getLocalPort(), false).watchedBy(QUICK);
            long start = System.nanoTime();
            ApiError e = assertThrows(ApiError.class, () -> rpc.call("host.get_servertime", List.of("s", "h")));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(RemoteRpc.unreachable(e), e.toString());
            assertTrue(tookMillis < 5_000, tookMillis + " ms");
        }
    }

    /** Many probe periods pass while the host works on the call; it answers each probe, so the call is waited for. */
    @Test
    void aLongCallToAHostThatStillAnswersIsWaitedFor() throws Exception {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = new byte[0];
                if (exchange.getRequestMethod().equals("POST")) {
                    Thread.sleep(1_500);
                    body = "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>done</value></member></struct></value></param></params></methodResponse>"
                            .getBytes(StandardCharsets.UTF_8);
                }
                exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 200 : 405, body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            var rpc = RemoteRpc.of("127.0.0.1", server.getAddress().getPort(), false).watchedBy(QUICK);
            assertEquals("done", rpc.call("VM.start", List.of("s", "vm", false, false)));
        } finally {
            server.stop(0);
        }
    }
}

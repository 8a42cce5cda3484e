package org.flotilla.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The QMP wire protocol against a scripted in-process server on a unix socket: answers out of
 * order (QEMU answers in order, so only this shows that ids, not order, match answers), events
 * between answers, errors, and a server that vanishes with calls pending.
 */
class QmpProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;
    private ServerSocketChannel server;
    private final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = TestGuest.tempDir();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("fake.sock")));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        threads.forEach(Thread::interrupt);
        TestGuest.deleteTree(dir);
    }

    /** Serves one client: greeting, capabilities, then holds {@code batch} commands and answers them in reverse. */
    private void serve(int batch, boolean vanishAfterBatch) {
        threads.add(Thread.ofVirtual().start(() -> {
            try (SocketChannel c = server.accept()) {
                OutputStream out = Channels.newOutputStream(c);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                send(out, "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"capabilities\": [\"oob\"]}}");
                JsonNode caps = JSON.readTree(in.readLine());
                send(out, "{\"return\": {}, \"id\": " + caps.get("id") + "}");
                while (true) {
                    List<JsonNode> held = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        String line = in.readLine();
                        if (line == null) {
                            return;
                        }
                        held.add(JSON.readTree(line));
                    }
                    if (vanishAfterBatch) {
                        return;
                    }
                    send(out, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}");
                    for (int i = held.size() - 1; i >= 0; i--) {
                        JsonNode cmd = held.get(i);
                        ObjectNode reply = JSON.createObjectNode();
                        if (cmd.path("execute").asText().equals("fail")) {
                            reply.putObject("error").put("class", "DeviceNotFound").put("desc", "Device 'x' not found");
                        } else {
                            reply.set("return", cmd.path("arguments"));
                        }
                        reply.set("id", cmd.get("id"));
                        send(out, JSON.writeValueAsString(reply));
                    }
                }
            } catch (IOException e) {
                // client went away
            }
        }));
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write((json + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void answersAreMatchedByIdNotOrder() throws Exception {
        serve(8, false);
        try (Qmp qmp = Qmp.connect(dir.resolve("fake.sock"), Duration.ofSeconds(5))) {
            assertEquals(7, qmp.greeting().path("QMP").path("version").path("qemu").path("major").asInt());
            long mark = qmp.eventMark();
            List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return qmp.execute("echo", Map.of("n", n, "text", "call " + n));
                    } catch (QmpException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (int i = 0; i < 8; i++) {
                JsonNode r = calls.get(i).get(5, TimeUnit.SECONDS);
                assertEquals(i, r.path("n").asInt());
                assertEquals("call " + i, r.path("text").asText());
            }
            QmpEvent stop = qmp.awaitEvent(mark, "STOP", e -> true, Duration.ofSeconds(1));
            assertEquals(1_000_002_000L, stop.timestamp().getEpochSecond() * 1_000_000_000L + stop.timestamp().getNano());
        }
    }

    @Test
    void aPauseEndsWithTheEventItWaitsForAndNotBefore() throws Exception {
        serve(1, false); // each command's answer comes after a STOP event
        try (Qmp qmp = Qmp.connect(dir.resolve("fake.sock"), Duration.ofSeconds(5))) {
            long mark = qmp.eventMark();
            long t0 = System.nanoTime();
            assertFalse(qmp.pauseUntil(mark, e -> e.name().equals("STOP"), Duration.ofMillis(200)), "no event yet: the whole pause");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200));
            qmp.execute("echo", Map.of());
            t0 = System.nanoTime();
            assertTrue(qmp.pauseUntil(mark, e -> e.name().equals("STOP"), Duration.ofSeconds(30)), "the event came after the mark");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "and ended the pause at once");
            assertFalse(qmp.pauseUntil(qmp.eventMark(), e -> e.name().equals("STOP"), Duration.ofMillis(50)), "none after the new mark");
            assertFalse(qmp.pauseUntil(mark, e -> e.name().equals("RESUME"), Duration.ofMillis(50)), "nor of another name");
        }
    }

    @Test
    void errorsCarryQemusClassAndDesc() throws Exception {
        serve(1, false);
        try (Qmp qmp = Qmp.connect(dir.resolve("fake.sock"), Duration.ofSeconds(5))) {
            QmpErrorException e = assertThrows(QmpErrorException.class, () -> qmp.execute("fail", Map.of("id", "x")));
            assertEquals("DeviceNotFound", e.errorClass());
            assertEquals("Device 'x' not found", e.desc());
            assertEquals("fail", e.command());
            assertEquals("QMP command 'fail' failed: DeviceNotFound: Device 'x' not found", e.getMessage());
            assertEquals("ok", qmp.execute("echo", Map.of("v", "ok")).path("v").asText(), "still usable after an error");
        }
    }

    @Test
    void pendingCallsFailWhenTheServerVanishes() throws Exception {
        serve(2, true);
        try (Qmp qmp = Qmp.connect(dir.resolve("fake.sock"), Duration.ofSeconds(5))) {
            CompletableFuture<JsonNode> a = qmp.executeAsync("query-status", Map.of());
            CompletableFuture<JsonNode> b = qmp.executeAsync("query-block", Map.of());
            ExecutionException ea = assertThrows(ExecutionException.class, () -> a.get(2, TimeUnit.SECONDS));
            assertInstanceOf(QmpException.class, ea.getCause());
            assertTrue(ea.getCause().getMessage().contains("'query-status'"), ea.getCause().getMessage());
            assertInstanceOf(QmpException.class, assertThrows(ExecutionException.class, () -> b.get(2, TimeUnit.SECONDS)).getCause());
            assertThrows(QmpException.class, () -> qmp.execute("query-status"));
        }
    }

    @Test
    void commandTimeoutIsReported() throws Exception {
        serve(2, false); // holds a single command forever
        try (Qmp qmp = Qmp.connect(dir.resolve("fake.sock"), Duration.ofSeconds(5))) {
            QmpException e = assertThrows(QmpException.class,
                    () -> qmp.execute("query-status", Map.of(), Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("no answer within"), e.getMessage());
        }
    }
}

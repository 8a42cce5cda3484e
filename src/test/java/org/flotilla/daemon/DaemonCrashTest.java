package org.flotilla.daemon;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.flotilla.Slow;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.model.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon as a real process, killed with SIGKILL while clients write through the API: after a
 * restart every acknowledged change is there, and the database takes new writes.
 */
@Slow
class DaemonCrashTest {
    private final Path state = createTemp();
    private Process daemon;

    @AfterEach
    void cleanUp() throws IOException {
        if (daemon != null) daemon.destroyForcibly();
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void everyAcknowledgedChangeSurvivesKillDashNine() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Rpc rpc = RemoteRpc.of("127.0.0.1", start(), true);
            String session = login(rpc);
            String host = (String) rpc.call("session.get_this_host", args(session, session));
            @SuppressWarnings("unchecked")
            var before = (Map<String, String>) rpc.call("host.get_other_config", args(session, host));
            for (String key : acknowledged) assertTrue(before.containsKey(key), "lost acknowledged change " + key + " after a kill -9");

            var counter = new AtomicInteger();
            var writers = new ArrayList<CompletableFuture<List<String>>>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                int r = round;
                writers.add(CompletableFuture.supplyAsync(() -> {
                    var acked = new ArrayList<String>();
                    try {
                        while (true) {
                            String key = "r" + r + "w" + writer + "n" + counter.incrementAndGet();
                            rpc.call("host.add_to_other_config", args(session, host, key, "v"));
                            acked.add(key);
                        }
                    } catch (ApiError connectionLost) {
                        return acked;
                    }
                }));
            }
            // kill mid-stream, once enough writes went through to matter: how many, not how long, since a loaded machine is slow
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60L * LOADED);
            while (counter.get() < 30 + 20 * round && System.nanoTime() < deadline) Thread.sleep(5);
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (var w : writers) acknowledged.addAll(w.get(20, TimeUnit.SECONDS));
        }
        assertTrue(acknowledged.size() > 50, "too few writes to prove anything: " + acknowledged.size());
        Rpc rpc = RemoteRpc.of("127.0.0.1", start(), true);
        String session = login(rpc);
        String host = (String) rpc.call("session.get_this_host", args(session, session));
        @SuppressWarnings("unchecked")
        var after = (Map<String, String>) rpc.call("host.get_other_config", args(session, host));
        for (String key : acknowledged) assertTrue(after.containsKey(key), "lost acknowledged change " + key);
        rpc.call("host.add_to_other_config", args(session, host, "after-recovery", "v"));
        assertEquals(1, rpc.call("host.get_all", args(session)) instanceof List<?> l ? l.size() : -1);
    }

    private int start() throws IOException {
        var started = DaemonProcess.start(state, state.resolve("pw"));
        daemon = started.process();
        return started.port();
    }

    private static String login(Rpc rpc) {
        return (String) rpc.call("session.login_with_password", args("root", "crash-test"));
    }

    private static List<Object> args(Object... a) { return new ArrayList<>(List.of(a)); }

    private static Path createTemp() {
        try {
            Path dir = Files.createTempDirectory("flotilla-crash");
            Files.writeString(dir.resolve("pw"), "crash-test\n");
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

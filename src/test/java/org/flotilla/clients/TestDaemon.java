package org.flotilla.clients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.flotilla.daemon.Daemon;
import org.flotilla.server.ApiServerConfig;

/** A daemon on loopback with an ephemeral HTTPS port and its own state directory, removed on close. */
final class TestDaemon implements AutoCloseable {
    static final String PASSWORD = "xenroot-test";
    final Path stateDir;
    final Daemon daemon;

    TestDaemon() throws IOException {
        stateDir = Files.createTempDirectory("flotilla-daemon");
        daemon = Daemon.start(stateDir, ApiServerConfig.loopbackEphemeral(), PASSWORD, "127.0.0.1");
    }

    String url() { return "https://127.0.0.1:" + daemon.httpsPort(); }

    @Override
    public void close() throws IOException {
        daemon.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

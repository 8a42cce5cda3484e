package org.flotilla.qemu;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The QEMU processes, other closeables and scratch directories a test makes: closed last first, then the
 * directories removed, after each test even when it fails. As {@code @RegisterExtension final TestQemus
 * qemus = new TestQemus();}, or closed by a test that must order its own clean-up around it.
 */
public final class TestQemus implements AfterEachCallback, AutoCloseable {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /** A fresh directory under /tmp (short, for QMP socket paths), removed afterwards. */
    public Path dir() throws IOException {
        Path d = TestGuest.tempDir();
        dirs.add(d);
        return d;
    }

    /** Starts QEMU with its QMP socket in a fresh directory; it is killed afterwards if still running. */
    public QemuProcess start(List<String> argv) throws IOException {
        QemuProcess q = QemuProcess.start(argv, dir(), Duration.ofSeconds(10));
        cleanup.add(q);
        return q;
    }

    public void closeAfterwards(AutoCloseable c) { cleanup.add(c); }

    @Override
    public void afterEach(ExtensionContext context) { close(); }

    @Override
    public void close() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception ignored) {
                // keep cleaning
            }
        }
        cleanup.clear();
        dirs.forEach(TestGuest::deleteTree);
        dirs.clear();
    }
}

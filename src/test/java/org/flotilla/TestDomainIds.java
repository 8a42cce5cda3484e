package org.flotilla;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test toolstacks run side by side on one machine, where a real host has one: each starts its domain ids
 * (and so its tap names, vif&lt;domid&gt;.&lt;device&gt;) in a block of its own, through the state directory's
 * {@code domid} file that the runtime continues from.
 */
public final class TestDomainIds {
    private static final long BLOCK = 500;
    private static final AtomicLong NEXT_BLOCK = new AtomicLong(1 + ProcessHandle.current().pid() % 50 * 20);

    private TestDomainIds() {}

    /** Gives a new state directory its own block of domain ids; a directory already used keeps its own. */
    public static void seed(Path state) {
        Path file = state.resolve("domid");
        if (Files.exists(file)) return;
        try {
            Files.createDirectories(state);
            Files.writeString(file, BLOCK * NEXT_BLOCK.getAndIncrement() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

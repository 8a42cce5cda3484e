package org.flotilla;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test toolstacks run side by side on one machine, where a real host has one: each starts its domain ids
 * (and so its tap names, vif&lt;domid&gt;.&lt;device&gt;) in a block of its own, through the state directory's
 * {@code domid} file that the runtime continues from.
 */
public final class TestDomainIds {
    private static final long BLOCK = 500;
    private static final AtomicLong NEXT_BLOCK = new AtomicLong(1 + ProcessHandle.current().pid() % 50 * 20);
    private static final Map<Path, Long> BASES = new ConcurrentHashMap<>();
    private static final Pattern TAP = Pattern.compile("vif(\\d+)\\.\\d+");

    private TestDomainIds() {}

    /** Gives a new state directory its own block of domain ids; a directory already used keeps its own. */
    public static void seed(Path state) {
        Path file = state.resolve("domid");
        if (Files.exists(file)) return;
        try {
            Files.createDirectories(state);
            long base = BLOCK * NEXT_BLOCK.getAndIncrement();
            BASES.put(state.toAbsolutePath().normalize(), base);
            Files.writeString(file, base + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the taps named after this state directory's domain ids: a test that failed midway may leave some. */
    public static void removeTaps(Path state) {
        Long base = BASES.get(state.toAbsolutePath().normalize());
        if (base == null) return;
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            for (Path link : links.toList()) {
                Matcher m = TAP.matcher(link.getFileName().toString());
                if (!m.matches()) continue;
                long id = Long.parseLong(m.group(1));
                if (id >= base && id < base + BLOCK) TestCommand.run(java.util.List.of("ip", "link", "del", "dev", link.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

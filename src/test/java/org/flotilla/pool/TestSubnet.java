package org.flotilla.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.TestCommand;

/**
 * A /24 of 10.250.0.0/16 that no address or route of this machine's root namespace overlaps. Test networks of
 * other JVMs claim theirs at the same time: a lock file held from the choice until the claimer's root address
 * is on its link keeps two from taking the same one.
 */
final class TestSubnet {
    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "flotilla-test-subnets.lock");
    /** The words a prefix follows in `ip addr` (inet) and `ip route` (a route's type) lines. */
    private static final Set<String> BEFORE_PREFIX =
            Set.of("inet", "local", "broadcast", "unicast", "anycast", "multicast", "unreachable", "blackhole", "prohibit", "throw", "nat");
    private static final Pattern PREFIX = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");

    private TestSubnet() {}

    /**
     * Chooses a free /24, starting the search at {@code hint}, and hands its first three octets ("10.250.7") to
     * {@code assign}, which must put an address of it on a root namespace link before returning.
     */
    static String claim(int hint, Consumer<String> assign) {
        try (FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            List<long[]> taken = taken();
            for (int k = 0; k < 256; k++) {
                int third = Math.floorMod(hint + k, 256);
                long net = ip("10.250." + third + ".0");
                if (taken.stream().noneMatch(t -> overlaps(net, 24, t[0], (int) t[1]))) {
                    String octets = "10.250." + third;
                    assign.accept(octets);
                    return octets;
                }
            }
            throw new IllegalStateException("no free /24 left in 10.250.0.0/16");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The root namespace's IPv4 addresses (as their prefixes) and routes, default routes left out. */
    private static List<long[]> taken() {
        var out = new ArrayList<long[]>();
        String listing = TestCommand.run(List.of("ip", "-o", "-4", "addr", "show")).output() + "\n"
                + TestCommand.run(List.of("ip", "-4", "route", "show", "table", "all")).output();
        for (String line : listing.split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i < words.length; i++) {
                boolean isPrefix = i == 0 || BEFORE_PREFIX.contains(words[i - 1]);
                Matcher m = PREFIX.matcher(words[i]);
                if (isPrefix && m.matches()) out.add(new long[] {ip(m.group(1)), m.group(2) == null ? 32 : Integer.parseInt(m.group(2))});
            }
        }
        return out;
    }

    static boolean overlaps(long a, int aLen, long b, int bLen) {
        int len = Math.min(aLen, bLen);
        long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
        return (a & mask) == (b & mask);
    }

    static long ip(String dotted) {
        long v = 0;
        for (String octet : dotted.split("\\.")) v = v << 8 | Integer.parseInt(octet);
        return v;
    }
}

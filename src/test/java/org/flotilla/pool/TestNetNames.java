package org.flotilla.pool;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of one test network's namespaces, root-namespace link and temporary directory: {@code flt<pid>n<seq>}
 * and what follows it, the test JVM's pid and a number unique within that JVM. Parallel runs never collide, and
 * what a crashed run left behind is known by its owner's pid being gone.
 */
record TestNetNames(long pid, int seq) {
    /** The host namespaces ({@code …h<i>}) and the switch's ({@code …sw}). */
    static final Pattern NAMESPACE = Pattern.compile("flt(\\d+)n(\\d+)(?:sw|h\\d+)");
    /** The root namespace's end of the test's own veth, and the temporary directory. */
    static final Pattern PREFIX = Pattern.compile("flt(\\d+)n(\\d+)");

    private static final AtomicInteger NEXT = new AtomicInteger();

    /** A new set of names for this JVM. */
    static TestNetNames next() { return new TestNetNames(ProcessHandle.current().pid(), NEXT.getAndIncrement()); }

    /** The names of the run a matching name belongs to ({@link #NAMESPACE} or {@link #PREFIX}). */
    static TestNetNames of(Matcher m) { return new TestNetNames(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2))); }

    /** At most 13 characters, so that it fits an interface name (15) as it is. */
    String prefix() { return "flt" + pid + "n" + seq; }

    String switchNamespace() { return prefix() + "sw"; }

    String hostNamespace(int i) { return prefix() + "h" + i; }

    /** The test's (root namespace's) end of the veth into the bridge. */
    String testLink() { return prefix(); }

    /** Every host's state directory and log, under java.io.tmpdir. */
    Path tempDir() { return Path.of(System.getProperty("java.io.tmpdir"), prefix()); }

    /** Files ip netns exec binds over /etc in the namespace (its hosts file). */
    Path etcDir(String namespace) { return Path.of("/etc/netns", namespace); }

    /**
     * Whether the run is alive: its JVM's pid is, or something listens on its link's address at {@link #LIVENESS_PORT}.
     * A run in another PID namespace (a fresh root on this machine, say) has a pid this JVM cannot see, but shares the
     * network namespace, and its links with it: its listener, which the kernel closes with its JVM, is what tells.
     */
    boolean ownerAlive() { return ProcessHandle.of(pid).isPresent() || listening(); }

    /** The port a test network's JVM listens on, on its own address, for as long as the network is its. */
    static final int LIVENESS_PORT = 1;

    private boolean listening() {
        String out = org.flotilla.TestCommand.run(java.util.List.of("ip", "-o", "-4", "addr", "show", "dev", testLink())).output();
        Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(out);
        if (!m.find()) return false;
        try (var probe = new java.net.Socket()) {
            probe.connect(new java.net.InetSocketAddress(m.group(1), LIVENESS_PORT), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    boolean owns(String name) {
        Matcher m = NAMESPACE.matcher(name);
        if (!m.matches()) m = PREFIX.matcher(name);
        return m.matches() && of(m).equals(this);
    }
}

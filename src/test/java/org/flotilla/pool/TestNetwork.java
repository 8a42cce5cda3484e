package org.flotilla.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.flotilla.TestCommand;

/**
 * The network of a pool test: a network namespace per host, joined through veth pairs to a Linux bridge that
 * lives in a namespace of its own (the switch), with an address each on a free /24 of 10.250.0.0/16 — host
 * {@code i} at {@code .i+1} — and a veth from the test's own namespace into the bridge (at {@code .254}), so that
 * the test JVM reaches every host. The root namespace gains that one link and nothing else.
 *
 * <p>Each host namespace has its loopback up, its link as {@code eth0}, and (for commands run through
 * {@link #onHost}) a hostname of its own, {@code host<i>}, that its /etc/hosts resolves, as do the other hosts'.
 * Its directory ({@link #dir()}) is for whatever lives on the hosts.
 *
 * <p>Names are {@code flt<pid>n<k>…} ({@link TestNetNames}), so parallel runs never collide. {@link #close()} kills
 * what runs in the namespaces and removes all of it; a shutdown hook does the same if the test never closes it,
 * and the next network's creation if the JVM died (its pid is gone).
 *
 * <p>A failure is a link taken down ({@link #cutLink}): the machines here have neither iptables nor nft, and their
 * kernel lacks tc's drop action and netem, so traffic cannot be dropped or delayed selectively.
 */
public final class TestNetwork implements AutoCloseable {
    private static final String BRIDGE = "br0";
    private static final String TEST_PORT = "test";
    private static final String CGROUP_MOUNTS = cgroupMounts();

    private final TestNetNames names;
    private final int size;
    private final Thread hook;
    private String octets;
    /** Held while the network is this JVM's: see {@link TestNetNames#ownerAlive}. */
    private java.net.ServerSocket liveness;

    private TestNetwork(TestNetNames names, int size) {
        this.names = names;
        this.size = size;
        this.hook = new Thread(() -> TestLeftovers.remove(names), names.prefix() + "-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Sweeps what crashed earlier runs left, then makes a network of {@code hosts} hosts. */
    public static TestNetwork create(int hosts) {
        TestLeftovers.sweep();
        var net = new TestNetwork(TestNetNames.next(), hosts);
        try {
            net.build();
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() {
        try {
            Files.createDirectory(names.tempDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sw = names.switchNamespace();
        ip("netns", "add", sw);
        ip("-n", sw, "link", "add", "name", BRIDGE, "type", "bridge");
        ip("-n", sw, "link", "set", "dev", BRIDGE, "up");
        octets = TestSubnet.claim((int) (names.pid() * 7 + names.seq()), o -> {
            ip("link", "add", "name", names.testLink(), "type", "veth", "peer", "name", TEST_PORT, "netns", sw);
            ip("addr", "add", o + ".254/24", "dev", names.testLink());
            ip("link", "set", "dev", names.testLink(), "up");
            liveness = listenOn(o + ".254");
        });
        ip("-n", sw, "link", "set", "dev", TEST_PORT, "master", BRIDGE, "up");
        for (int i = 0; i < size; i++) {
            String ns = names.hostNamespace(i);
            writeHostsFile(ns);
            ip("netns", "add", ns);
            ip("-n", sw, "link", "add", "name", port(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", sw, "link", "set", "dev", port(i), "master", BRIDGE, "up");
            ip("-n", ns, "link", "set", "dev", "lo", "up");
            ip("-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "dev", "eth0", "up");
        }
    }

    /** How many hosts. */
    public int size() { return size; }

    public String namespace(int i) { return names.hostNamespace(check(i)); }

    /** Host {@code i}'s address on the network. */
    public String address(int i) { return octets + "." + (check(i) + 1); }

    /** Host {@code i}'s hostname, in its own UTS namespace. */
    public String hostname(int i) { return "host" + check(i); }

    /** The test JVM's own address on the network. */
    public String testAddress() { return octets + ".254"; }

    /** The network, as CIDR. */
    public String subnet() { return octets + ".0/24"; }

    /** A directory of the test's, removed with the network: the hosts' state directories live here. */
    public Path dir() { return names.tempDir(); }

    /** The name every namespace, link and directory of this network begins with. */
    public String prefix() { return names.prefix(); }

    /** The switch's namespace: its bridge joins every host and the test. */
    public String switchNamespace() { return names.switchNamespace(); }

    /**
     * Puts an address ({@code .253}) on the switch's bridge and returns it: for a service that lives in the switch's
     * namespace (a storage server) and that every host, and the test, reach at once.
     */
    public String addServiceAddress() {
        String sw = names.switchNamespace();
        ip("-n", sw, "addr", "add", octets + ".253/24", "dev", BRIDGE);
        ip("-n", sw, "link", "set", "dev", "lo", "up");
        return octets + ".253";
    }

    /** Host {@code i}'s link goes down (at the bridge: the host sees no carrier). */
    public void cutLink(int i) { ip("-n", names.switchNamespace(), "link", "set", "dev", port(i), "down"); }

    public void restoreLink(int i) { ip("-n", names.switchNamespace(), "link", "set", "dev", port(i), "up"); }

    /**
     * {@code cmd} as host {@code i} runs it: in its network namespace (where /sys shows its links, as ip netns exec
     * mounts it), with its hostname, and with the machine's cgroup hierarchies mounted again under the new /sys so
     * that a daemon there confines its VMs as on a real host.
     */
    public List<String> onHost(int i, List<String> cmd) {
        var argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i), "unshare", "--uts", "sh", "-c",
                "set -e; hostname " + hostname(i) + "; " + CGROUP_MOUNTS + "exec \"$@\"", "sh"));
        argv.addAll(cmd);
        return argv;
    }

    /** Runs {@code cmd} on host {@code i} to its end. */
    public TestCommand.Result exec(int i, String... cmd) { return TestCommand.run(onHost(i, List.of(cmd))); }

    /** Whether a TCP connection from host {@code i} to {@code address} (or a host's name) and {@code port} opens within two seconds. */
    public boolean canConnect(int i, String address, int port) {
        return exec(i, "timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port).exit() == 0;
    }

    /** Kills whatever still runs in the namespaces and removes them, the test's link, the files and the directory. */
    @Override
    public void close() {
        TestLeftovers.remove(names);
        closeQuietly(liveness);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it did the same
        }
    }

    /** What tells sweeps in other PID namespaces that this network is in use ({@link TestNetNames#ownerAlive}). */
    private static java.net.ServerSocket listenOn(String address) {
        try {
            return new java.net.ServerSocket(TestNetNames.LIVENESS_PORT, 8, java.net.InetAddress.getByName(address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(java.net.ServerSocket socket) {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException ignored) {
            // it goes with the JVM anyway
        }
    }

    private static String port(int i) { return "port" + i; }

    private int check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("no host " + i + " of " + size);
        return i;
    }

    /** ip netns exec binds /etc/netns/&lt;ns&gt;/hosts over /etc/hosts: each host resolves its own name and the others'. */
    private void writeHostsFile(String ns) {
        var hosts = new StringBuilder("127.0.0.1 localhost\n::1 localhost\n");
        for (int j = 0; j < size; j++) hosts.append(address(j)).append(' ').append(hostname(j)).append('\n');
        try {
            Path dir = names.etcDir(ns);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("hosts"), hosts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void ip(String... args) {
        var cmd = new ArrayList<String>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        TestCommand.Result r = TestCommand.run(cmd);
        if (r.exit() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.output().strip());
    }

    /**
     * Shell commands that mount again, in a namespace's own mount namespace, the cgroup hierarchies this JVM sees
     * under /sys/fs/cgroup (v1, v2 or both). Best effort: where they cannot be mounted the daemon runs its VMs
     * without cgroups and says so in its log.
     */
    private static String cgroupMounts() {
        var script = new StringBuilder();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) continue;
                String[] f = halves[0].split(" ");
                String[] g = halves[1].split(" ");
                if (f.length < 5 || g.length < 3) continue;
                String mount = f[4];
                if (!(mount.equals("/sys/fs/cgroup") || mount.startsWith("/sys/fs/cgroup/"))) continue;
                if (!Set.of("tmpfs", "cgroup", "cgroup2").contains(g[0])) continue;
                script.append("{ mkdir -p ").append(quote(mount)).append(" && mount -t ").append(g[0]).append(" -o ").append(quote(g[2]))
                        .append(' ').append(quote(g[1])).append(' ').append(quote(mount)).append("; } 2>/dev/null || :; ");
            }
        } catch (IOException e) {
            // no cgroups then
        }
        return script.toString();
    }

    private static String quote(String s) { return "'" + s.replace("'", "'\\''") + "'"; }
}

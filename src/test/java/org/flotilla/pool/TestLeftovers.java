package org.flotilla.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.flotilla.TestCommand;
import org.flotilla.jail.Cgroups;
import org.flotilla.qemu.TestGuest;

/**
 * What test networks leave on the machine, found by their names ({@link TestNetNames}): processes in their
 * namespaces, the namespaces, the test's link in the root namespace, the /etc/netns entries and the temporary
 * directory with the QEMUs whose run directories lie in it and the cgroups of the VMs of its hosts. Removing it is the same work whether a network closes,
 * its JVM shuts down, or a later run sweeps what a crashed one left.
 */
public final class TestLeftovers {
    private static final Path NETNS_ETC = Path.of("/etc/netns");
    private static final Set<String> PID_FILES = Set.of("qemu.pid", "swtpm.pid");
    /** The file beside a host's state directory that names the host's uuid. */
    static final String HOST_UUID = "host-uuid";

    private TestLeftovers() {}

    /** Removes the leftovers of every run whose JVM is gone. */
    static void sweep() {
        var dead = new LinkedHashSet<TestNetNames>();
        for (String name : everyName()) {
            Matcher m = TestNetNames.NAMESPACE.matcher(name);
            if (!m.matches()) m = TestNetNames.PREFIX.matcher(name);
            if (m.matches() && !TestNetNames.of(m).ownerAlive()) dead.add(TestNetNames.of(m));
        }
        dead.forEach(TestLeftovers::remove);
    }

    /** What of {@code names} is still there, each as "kind name"; empty when all is gone. */
    static List<String> of(TestNetNames names) {
        var out = new ArrayList<String>();
        for (String ns : namespaces()) if (names.owns(ns)) out.add("namespace " + ns + " " + pidsIn(ns));
        if (Files.exists(Path.of("/sys/class/net", names.testLink()))) out.add("link " + names.testLink());
        for (String dir : list(NETNS_ETC)) if (names.owns(dir)) out.add("directory " + NETNS_ETC.resolve(dir));
        if (Files.exists(names.tempDir())) out.add("directory " + names.tempDir());
        for (long pid : qemusUnder(names.tempDir())) out.add("process " + pid);
        return out;
    }

    /** Kills what runs in the network's namespaces and its QEMUs, then removes the namespaces, link and files. */
    static void remove(TestNetNames names) {
        qemusUnder(names.tempDir()).forEach(TestLeftovers::kill);
        List<String> owned = namespaces().stream().filter(names::owns).toList();
        for (String ns : owned) pidsIn(ns).forEach(TestLeftovers::kill);
        removeCgroups(names.tempDir());
        for (String ns : owned) TestCommand.run(List.of("ip", "netns", "del", ns));
        if (Files.exists(Path.of("/sys/class/net", names.testLink()))) TestCommand.run(List.of("ip", "link", "del", "dev", names.testLink()));
        for (String dir : list(NETNS_ETC)) if (names.owns(dir)) TestGuest.deleteTree(NETNS_ETC.resolve(dir));
        TestGuest.deleteTree(names.tempDir());
    }

    /**
     * The cgroups of the VMs of the hosts under {@code dir} whose QEMU was killed rather than stopped by its daemon,
     * beside this JVM's own (where its daemons made them; a sweep from elsewhere in the hierarchy misses them).
     */
    private static void removeCgroups(Path dir) {
        if (!Files.isDirectory(dir)) return;
        Cgroups cgroups = Cgroups.host();
        try (Stream<Path> files = Files.find(dir, 2, (p, a) -> p.getFileName().toString().equals(HOST_UUID))) {
            for (Path f : files.toList()) {
                String host = Files.readString(f).strip();
                for (String vm : cgroups.existing(host)) cgroups.remove(host, vm);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // nothing to go by
        }
    }

    /** The pids of the processes in namespace {@code ns}. */
    static List<Long> pidsIn(String ns) {
        return TestCommand.run(List.of("ip", "netns", "pids", ns)).output().lines().map(String::strip)
                .filter(l -> l.matches("\\d+")).map(Long::parseLong).toList();
    }

    /**
     * The live QEMUs and swtpms whose pid files lie in run directories under {@code dir}: a QEMU outlives its
     * daemon, and may have been started in a namespace since deleted.
     */
    static List<Long> qemusUnder(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        var out = new ArrayList<Long>();
        try (Stream<Path> files = Files.find(dir, 6, (p, a) -> a.isRegularFile() && PID_FILES.contains(p.getFileName().toString()))) {
            for (Path f : files.toList()) {
                try {
                    long pid = Long.parseLong(Files.readString(f).strip());
                    boolean ours = ProcessHandle.of(pid).flatMap(h -> h.info().command())
                            .map(c -> c.contains("qemu") || c.contains("swtpm")).orElse(false);
                    if (ours) out.add(pid);
                } catch (IOException | NumberFormatException ignored) {
                    // gone meanwhile, or half written: nothing to kill
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the directory went away meanwhile
        }
        return out;
    }

    /** SIGKILL to {@code pid}, and waits up to 10 s for it to be gone. */
    public static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // a zombie of another parent's, or an unkillable one: nothing more to do
            }
        });
    }

    /** Every name a test network may have left: namespaces, root links, /etc/netns entries, temporary directories. */
    private static List<String> everyName() {
        var out = new ArrayList<String>(namespaces());
        out.addAll(list(Path.of("/sys/class/net")));
        out.addAll(list(NETNS_ETC));
        out.addAll(list(Path.of(System.getProperty("java.io.tmpdir"))));
        return out;
    }

    static List<String> namespaces() {
        return TestCommand.run(List.of("ip", "netns", "list")).output().lines().map(l -> l.split("\\s+")[0])
                .filter(n -> !n.isEmpty()).toList();
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

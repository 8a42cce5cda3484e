package org.flotilla.jail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cgroup per jailed VM, a child of the daemon's own named {@code flotilla.<host>.<vm>}, with memory, CPU and
 * process-count limits. Side by side with the daemon's other children, not grouped under one parent: the CPU
 * scheduler weighs a group as one, so VMs gathered under a common parent would share one weight between them
 * all against every thread outside it. The host's uuid in the name keeps daemons that share a machine (tests,
 * pools of namespaced hosts) from sweeping each other's.
 *
 * <p>Either hierarchy: cgroup v1 (one hierarchy per controller) or v2 (one unified hierarchy), whichever
 * the host mounts; on a hybrid host the v1 controllers. Where neither can be used (no controllers, or a v2
 * cgroup the daemon cannot delegate from) VMs run without one, and {@link #unavailable()} says why.
 */
public abstract sealed class Cgroups permits Cgroups.V1, Cgroups.V2, Cgroups.None {
    static final String PREFIX = "flotilla.";
    private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");
    private static final long CPU_PERIOD_MICROS = 100_000;

    /** What a VM's cgroup allows: bytes of memory, CPUs' worth of time (0: no cap), XAPI's CPU weight, processes. */
    public record Limits(long memoryBytes, double cpus, int weight, long pids) {}

    /** The files a process writes its pid into to join the cgroup (one per v1 hierarchy). */
    public record Membership(List<Path> procsFiles) {}

    private static volatile Cgroups detected;

    /** This host's cgroups, found once from /proc/self/mountinfo and /proc/self/cgroup. */
    public static Cgroups host() {
        Cgroups c = detected;
        if (c == null) {
            synchronized (Cgroups.class) {
                if (detected == null) {
                    detected = detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
                    if (detected instanceof None n) LOG.log(System.Logger.Level.WARNING, "VMs run without cgroup limits: " + n.why);
                }
                c = detected;
            }
        }
        return c;
    }

    /** Makes the VM's cgroup (again, if a crash left it) in {@code host}'s group, with its limits. */
    public abstract Membership create(String host, String name, Limits limits) throws IOException;

    /** Removes the cgroup once no process is left in it; a busy or missing one is let be. */
    public abstract void remove(String host, String name);

    /** The names of {@code host}'s VM cgroups there are now. */
    public abstract List<String> existing(String host);

    /** Null when cgroups are in use; else why not. */
    public String unavailable() { return null; }

    static Cgroups detect(Path mountinfo, Path ownCgroups) {
        try {
            Map<String, String> own = ownPaths(Files.readAllLines(ownCgroups));
            var v1 = new LinkedHashMap<String, Path>();
            Path v2 = null;
            for (String line : Files.readAllLines(mountinfo)) {
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) continue;
                String[] f = halves[0].split(" ");
                String[] g = halves[1].split(" ");
                if (f.length < 5 || g.length < 3) continue;
                String root = f[3];
                Path mount = Path.of(f[4]);
                if (g[0].equals("cgroup2")) {
                    String mine = own.get("");
                    if (mine != null) v2 = within(mount, root, mine);
                } else if (g[0].equals("cgroup")) {
                    for (String opt : g[2].split(",")) {
                        if (CONTROLLERS.contains(opt) && own.containsKey(opt)) v1.put(opt, within(mount, root, own.get(opt)));
                    }
                }
            }
            if (!v1.isEmpty()) return new V1(v1);
            if (v2 != null && Files.exists(v2.resolve("cgroup.controllers"))) return V2.delegate(v2);
            return new None("no cgroup hierarchy with the memory, cpu or pids controller is mounted");
        } catch (IOException | RuntimeException e) {
            return new None("cannot read the host's cgroups: " + e.getMessage());
        }
    }

    /** Controller (or "" for v2) → this process's cgroup path, from /proc/self/cgroup. */
    private static Map<String, String> ownPaths(List<String> lines) {
        var out = new LinkedHashMap<String, String>();
        for (String l : lines) {
            String[] p = l.split(":", 3);
            if (p.length < 3) continue;
            if (p[1].isEmpty()) out.put("", p[2]);
            else for (String c : p[1].split(",")) out.put(c, p[2]);
        }
        return out;
    }

    /** The directory of cgroup {@code path} in a hierarchy mounted at {@code mount} whose root is {@code root}. */
    private static Path within(Path mount, String root, String path) {
        String rel = path.startsWith(root) ? path.substring(root.length()) : path;
        rel = rel.replaceFirst("^/+", "");
        return rel.isEmpty() ? mount : mount.resolve(rel);
    }

    static void write(Path file, String value) throws IOException { Files.writeString(file, value); }

    static void removeDir(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cgroup " + dir + " not removed: " + e);
        }
    }

    /** The group of {@code host}'s VM {@code name}. */
    static String group(String host, String name) { return PREFIX + host + "." + name; }

    /** The names of {@code host}'s VMs that have a group under {@code parent}. */
    static List<String> children(Path parent, String host) {
        String prefix = PREFIX + host + ".";
        try (var s = Files.list(parent)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** One hierarchy per controller: memory.limit_in_bytes, cpu.cfs_quota_us and cpu.shares, pids.max. */
    static final class V1 extends Cgroups {
        private final Map<String, Path> parents = new LinkedHashMap<>();

        V1(Map<String, Path> own) { parents.putAll(own); }

        @Override
        public Membership create(String host, String name, Limits l) throws IOException {
            var procs = new ArrayList<Path>();
            for (var e : parents.entrySet()) {
                Path dir = e.getValue().resolve(group(host, name));
                Files.createDirectories(dir);
                switch (e.getKey()) {
                    case "memory" -> write(dir.resolve("memory.limit_in_bytes"), Long.toString(l.memoryBytes()));
                    case "cpu" -> {
                        write(dir.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                        write(dir.resolve("cpu.cfs_quota_us"), l.cpus() > 0 ? Long.toString(quota(l.cpus())) : "-1");
                        write(dir.resolve("cpu.shares"), Long.toString(Math.max(2, l.weight() * 1024L / 256)));
                    }
                    case "pids" -> write(dir.resolve("pids.max"), Long.toString(l.pids()));
                    default -> { }
                }
                procs.add(dir.resolve("cgroup.procs"));
            }
            return new Membership(procs);
        }

        @Override
        public void remove(String host, String name) { for (Path p : parents.values()) removeDir(p.resolve(group(host, name))); }

        @Override
        public List<String> existing(String host) {
            return parents.values().stream().flatMap(p -> children(p, host).stream()).distinct().toList();
        }
    }

    /** The unified hierarchy: memory.max, cpu.max and cpu.weight, pids.max, under a parent with those controllers enabled. */
    static final class V2 extends Cgroups {
        private final Path parent;

        private V2(Path parent) { this.parent = parent; }

        /**
         * Enables the controllers for the daemon's children. Possible from the root cgroup, or from one the daemon
         * was delegated (v2 lets no cgroup with processes of its own but the root enable controllers for children).
         */
        static Cgroups delegate(Path own) {
            try {
                String available = Files.readString(own.resolve("cgroup.controllers"));
                var enable = new ArrayList<String>();
                for (String c : CONTROLLERS) if ((" " + available.strip() + " ").contains(" " + c + " ")) enable.add("+" + c);
                if (enable.isEmpty()) return new None("the daemon's cgroup " + own + " offers none of " + CONTROLLERS);
                write(own.resolve("cgroup.subtree_control"), String.join(" ", enable));
                return new V2(own);
            } catch (IOException e) {
                return new None("cannot enable cgroup v2 controllers under " + own + " (run the daemon in a delegated cgroup): " + e.getMessage());
            }
        }

        @Override
        public Membership create(String host, String name, Limits l) throws IOException {
            Path dir = parent.resolve(group(host, name));
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("memory.max"))) write(dir.resolve("memory.max"), Long.toString(l.memoryBytes()));
            if (Files.exists(dir.resolve("cpu.max"))) {
                write(dir.resolve("cpu.max"), (l.cpus() > 0 ? Long.toString(quota(l.cpus())) : "max") + " " + CPU_PERIOD_MICROS);
                write(dir.resolve("cpu.weight"), Long.toString(Math.clamp(l.weight() * 100L / 256, 1, 10_000)));
            }
            if (Files.exists(dir.resolve("pids.max"))) write(dir.resolve("pids.max"), Long.toString(l.pids()));
            return new Membership(List.of(dir.resolve("cgroup.procs")));
        }

        @Override
        public void remove(String host, String name) { removeDir(parent.resolve(group(host, name))); }

        @Override
        public List<String> existing(String host) { return children(parent, host); }
    }

    /** No usable cgroups on this host. */
    static final class None extends Cgroups {
        final String why;

        None(String why) { this.why = why; }

        @Override
        public Membership create(String host, String name, Limits limits) { return new Membership(List.of()); }

        @Override
        public void remove(String host, String name) { }

        @Override
        public List<String> existing(String host) { return List.of(); }

        @Override
        public String unavailable() { return why; }
    }

    private static long quota(double cpus) { return Math.max(1000, Math.round(cpus * CPU_PERIOD_MICROS)); }
}

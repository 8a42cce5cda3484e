package org.flotilla.jail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.os.Fd;
import org.flotilla.os.HostCommand;
import org.flotilla.os.OsException;
import org.flotilla.os.Spawner;

/**
 * How one VM's processes (its QEMU, its swtpm) are confined, as Firecracker's jailer does it but from tools
 * every Debian has (util-linux and coreutils): a mount namespace of their own in which the jail root gets
 * /usr read-only, a few device nodes and the VM's own directories, then chroot into it; the VM's own uid and
 * gid with no supplementary groups, no capabilities (none inheritable, an empty bounding set) and
 * no_new_privs; tight rlimits; the VM's cgroup; an environment with nothing of the daemon's; and only the
 * descriptors the daemon hands over. Everything until the uid is dropped runs as root in the new namespace,
 * from the fixed script below with the jail's values as arguments, never as text in it.
 *
 * @param uid    the VM's own uid (and gid), from the reserved range ({@link JailIds})
 * @param groups supplementary groups (the group of /dev/kvm when QEMU uses it), usually none
 * @param binds  what is mounted into the root besides the system directories
 * @param cgroup the cgroup to join before anything else runs
 */
public record Jail(JailRoot root, int uid, List<Integer> groups, List<Bind> binds, Cgroups.Membership cgroup, Rlimits rlimits) {

    /** Open files, processes (the uid's threads: it has no other), and no core dumps: nothing else is needed. */
    public record Rlimits(int openFiles, int processes) {}

    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    /**
     * Joins the cgroup, makes the mounts, and chroots; then the rest of the arguments run inside. The arguments:
     * {@code <cgroup.procs file>... -- <kind> <source> <target>... -- <root> <command>...}.
     */
    private static final String SCRIPT = """
            set -e
            while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift
            while [ "$1" != -- ]; do mount --bind -o "$1" "$2" "$3"; shift 3; done; shift
            root=$1; shift
            unset PWD OLDPWD
            exec chroot "$root" "$@"
            """;

    /**
     * Starts {@code program} (a path inside the jail, under /usr) with {@code args}; its stdin is empty, stdout
     * and stderr go to {@code log}, and {@code inherited} become its descriptors 3, 4, …. Returns its pid: the
     * jail's commands all exec, so the pid is the program's own.
     */
    public long spawn(Path program, List<String> args, List<Fd> inherited, Fd log, Fd devNull) throws OsException {
        var argv = new ArrayList<String>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", SCRIPT, "flotilla-jail"));
        for (Path p : cgroup.procsFiles()) argv.add(p.toString());
        argv.add("--");
        var all = new ArrayList<>(root.system());
        all.add(JailRoot.device("null"));
        all.add(JailRoot.device("urandom"));
        all.addAll(binds);
        for (Bind b : all) {
            argv.add(b.kind().options);
            argv.add(b.source().toString());
            argv.add(root.dir().resolve(b.target()).toString());
        }
        argv.add("--");
        argv.add(root.dir().toString());
        argv.add("/usr/bin/setpriv");
        argv.add("--reuid=" + uid);
        argv.add("--regid=" + uid);
        if (groups.isEmpty()) argv.add("--clear-groups");
        else argv.add("--groups=" + String.join(",", groups.stream().map(String::valueOf).toList()));
        argv.addAll(List.of("--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"));
        argv.add("/usr/bin/prlimit");
        argv.add("--nofile=" + rlimits.openFiles() + ":" + rlimits.openFiles());
        argv.add("--nproc=" + rlimits.processes() + ":" + rlimits.processes());
        argv.add("--core=0:0");
        argv.add("--");
        argv.add(program.toString());
        argv.addAll(args);
        return Spawner.spawn(new Spawner.Request(UNSHARE, argv, List.of("PATH=" + HostCommand.PATH), devNull, log, log, inherited));
    }
}

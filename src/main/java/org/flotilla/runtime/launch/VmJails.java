package org.flotilla.runtime.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flotilla.jail.Bind;
import org.flotilla.jail.Cgroups;
import org.flotilla.jail.Jail;
import org.flotilla.jail.JailIds;
import org.flotilla.jail.JailRoot;
import org.flotilla.model.ApiError;
import org.flotilla.runtime.domain.HostMemory;

/**
 * The jails of this host's VMs: one uid per running VM ({@link JailIds}), one cgroup per VM named after its
 * uuid in a group named after the host's, one shared empty root ({@code <state>/jail}). A VM's QEMU and its swtpm share its uid and cgroup, and
 * see its run directory at /vm; the swtpm also its vTPM's state at /tpm.
 */
public final class VmJails {
    private static final System.Logger LOG = System.getLogger(VmJails.class.getName());
    private static final long MIB = HostMemory.MIB;
    /** What a QEMU needs besides the guest's memory and video memory: its own code, TCG's translation cache, buffers. */
    private static final long OVERHEAD = 512 * MIB;

    private final Path rootDir;
    private final JailIds ids;
    private final Cgroups cgroups;
    private final boolean kvm;
    /** This host's group of cgroups: its uuid. */
    private final String host;
    private volatile JailRoot root;

    public VmJails(Path stateDir, String hostUuid, JailIds ids, Cgroups cgroups, boolean kvm) {
        this.host = hostUuid;
        this.rootDir = stateDir.resolve("jail");
        this.ids = ids;
        this.cgroups = cgroups;
        this.kvm = kvm;
    }

    /** The shared root, made at first use; INTERNAL_ERROR if the host cannot have jails here. */
    JailRoot root() {
        JailRoot r = root;
        if (r != null) return r;
        synchronized (this) {
            if (root == null) {
                List<String> clashes = ids.conflicts(Path.of("/etc/passwd"), Path.of("/etc/group"));
                if (!clashes.isEmpty()) {
                    throw ApiError.internal("the uids VMs run as (" + ids.base() + "+domid) belong to accounts of this host: " + clashes
                            + "; start the daemon with -Dflotilla.jail-uid-base=<free range>");
                }
                try {
                    root = JailRoot.prepare(rootDir);
                } catch (IOException e) {
                    throw ApiError.internal("cannot make the jail root " + rootDir + ": " + e.getMessage());
                }
            }
            return root;
        }
    }

    public Path rootDir() { return rootDir; }

    public int uid(long domid) { return ids.uid(domid); }

    boolean ownsUid(long uid) { return ids.owns(uid); }

    /** What a VM's cgroup allows: its memory with room for QEMU itself, its vCPUs (or its cap) and weight, its threads. */
    static Cgroups.Limits limits(long memoryMiB, long videoMiB, long vcpusMax, java.util.Map<String, String> vcpuParams) {
        long memory = (memoryMiB + videoMiB) * MIB + OVERHEAD + memoryMiB * MIB / 8;
        double cap = number(vcpuParams.get("cap"), 0) / 100.0;
        double cpus = cap > 0 ? cap : vcpusMax + 1;
        int weight = (int) Math.clamp(number(vcpuParams.get("weight"), 256), 1, 65535);
        return new Cgroups.Limits(memory, cpus, weight, processes(vcpusMax));
    }

    /** QEMU's threads: one per vCPU, its I/O thread pool (up to 64), the main loop and helpers. */
    static int processes(long vcpus) { return (int) Math.min(4096, 128 + 2 * vcpus); }

    private static long number(String s, long otherwise) {
        try {
            return s == null ? otherwise : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Makes the VM's cgroup with its limits; its processes join it as they start. */
    Cgroups.Membership cgroup(String vmUuid, Cgroups.Limits limits) {
        try {
            return cgroups.create(host, vmUuid, limits);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "VM " + vmUuid + " runs without its cgroup: " + e.getMessage());
            return new Cgroups.Membership(List.of());
        }
    }

    public void removeCgroup(String vmUuid) { cgroups.remove(host, vmUuid); }

    /** Removes the cgroups of VMs that no longer run here. */
    public void sweepCgroups(java.util.Set<String> running) {
        for (String name : cgroups.existing(host)) if (!running.contains(name)) cgroups.remove(host, name);
    }

    Jail qemu(long domid, Path runDir, Cgroups.Membership cgroup, long vcpus) {
        var binds = new ArrayList<Bind>();
        binds.add(Bind.writable(runDir, JailRoot.RUN));
        var groups = new ArrayList<Integer>();
        if (kvm) {
            binds.add(JailRoot.device("kvm"));
            Integer g = deviceGroup(Path.of("/dev/kvm"));
            if (g != null) groups.add(g);
        }
        return new Jail(root(), uid(domid), groups, binds, cgroup, new Jail.Rlimits(1024, processes(vcpus)));
    }

    public Jail swtpm(long domid, Path runDir, Path tpmState, Cgroups.Membership cgroup) {
        var binds = List.of(Bind.writable(runDir, JailRoot.RUN), Bind.writable(tpmState, JailRoot.TPM_STATE));
        return new Jail(root(), uid(domid), List.of(), binds, cgroup, new Jail.Rlimits(64, 16));
    }

    /**
     * A program as its jail sees it: {@code name} as given, or found on the PATH, at its real path — which must
     * lie under /usr or a system directory the jail mounts, the only programs a jail has.
     */
    Path program(String name) {
        Path found = null;
        if (name.contains("/")) {
            found = Path.of(name);
        } else {
            for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) { found = p; break; }
            }
        }
        if (found == null) throw ApiError.internal(name + " is not installed");
        try {
            Path real = found.toRealPath();
            if (!real.startsWith("/usr/")) throw ApiError.internal(name + " lies at " + real + ", outside /usr, where a jailed process cannot run it");
            return real;
        } catch (IOException e) {
            throw ApiError.internal(name + " cannot be run: " + e.getMessage());
        }
    }

    /** The gid of /dev/kvm, for a QEMU that runs KVM guests. */
    private static Integer deviceGroup(Path dev) {
        try {
            return (Integer) Files.getAttribute(dev, "unix:gid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new UncheckedIOException(new IOException("cannot read the group of " + dev + ": " + e.getMessage()));
        }
    }
}

package org.flotilla.runtime.power;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.stream.Collectors;
import org.flotilla.runtime.domain.Domain;
import org.flotilla.runtime.domain.Domains;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.runtime.launch.QemuFiles;
import org.flotilla.runtime.launch.Swtpm;
import org.flotilla.runtime.launch.VmJails;

/**
 * What the QEMUs of this host leave behind when they end while no daemon watches: jailed processes no VM owns,
 * run directories without a QEMU (and their swtpm), cgroups of VMs that no longer run here.
 */
public final class StrayProcesses {
    private static final System.Logger LOG = System.getLogger(StrayProcesses.class.getName());

    private final Domains domains;
    private final QemuFiles files;
    private final Swtpm swtpm;
    private final VmJails jails;

    public StrayProcesses(Domains domains, QemuFiles files, Swtpm swtpm, VmJails jails) {
        this.domains = domains;
        this.files = files;
        this.swtpm = swtpm;
        this.jails = jails;
    }

    /**
     * Jailed processes of this host (chrooted into its jail root) that belong to no adopted VM — a daemon killed
     * between exec and the pid file leaves a QEMU that no run directory names, or a swtpm whose QEMU never came —
     * and QEMUs of an earlier, unjailed version that no run directory names; then the cgroups of VMs not running.
     */
    void killAll() {
        String legacy = "-qmp unix:" + files.runRoot() + "/";
        Path jailRoot = realPath(jails.rootDir());
        var kept = new HashSet<Long>(domains.pids().values());
        for (Domain d : domains.all()) swtpm.process(d.runDir).ifPresent(p -> kept.add(p.pid()));
        ProcessHandle.allProcesses()
                .filter(p -> !kept.contains(p.pid()))
                .filter(p -> jailRoot.equals(HostFiles.rootOf(p.pid())) || HostFiles.cmdline(p.pid()).contains(legacy))
                .forEach(p -> {
                    LOG.log(System.Logger.Level.WARNING, "killing " + HostFiles.cmdline(p.pid()).split(" ")[0] + " " + p.pid()
                            + ": no VM of this host owns it");
                    p.destroyForcibly();
                });
        jails.sweepCgroups(domains.all().stream().map(d -> d.uuid).collect(Collectors.toSet()));
    }

    /** A run dir without a QEMU: its swtpm, if any, ends too. */
    void forget(Path dir) {
        swtpm.stop(dir);
        HostFiles.deleteTree(dir);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}

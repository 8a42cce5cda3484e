package org.flotilla.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's test guest (scripts/build-guest.sh, see scripts/guest/README.md) for network tests:
 * built if needed (a no-op when up to date), booted directly from its kernel under sandboxed TCG.
 */
final class NetTestGuest {
    static final Path REPO = findRepo();
    static final Path DIR = REPO.resolve("build/guest");
    private static boolean built;

    private NetTestGuest() {}

    static synchronized void ensureBuilt() throws IOException, InterruptedException {
        if (built) return;
        Path script = REPO.resolve("scripts/build-guest.sh");
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0 || !Files.isRegularFile(DIR.resolve("vmlinux")) || !Files.isRegularFile(DIR.resolve("initramfs.gz"))) {
            throw new IllegalStateException("building the test guest failed (" + script + " exit " + rc + "):\n" + out);
        }
        built = true;
    }

    /** A 128 MiB guest in net mode with its NIC on the tap device {@code tap} and the given MAC. */
    static List<String> netArgv(String tap, String mac, String append) throws IOException, InterruptedException {
        ensureBuilt();
        String cmdline = Files.readString(DIR.resolve("cmdline")).strip() + " flotilla.mode=net " + append;
        return new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-no-user-config", "-accel", "tcg",
                "-display", "none", "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                "-m", "128", "-no-reboot",
                "-kernel", DIR.resolve("vmlinux").toString(), "-initrd", DIR.resolve("initramfs.gz").toString(), "-append", cmdline,
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=n0,mac=" + mac));
    }

    private static Path findRepo() {
        for (Path q = Path.of("").toAbsolutePath(); q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("scripts/build-guest.sh")) && Files.isRegularFile(q.resolve("pom.xml"))) return q;
        }
        throw new IllegalStateException("cannot find the repository (scripts/build-guest.sh)");
    }
}

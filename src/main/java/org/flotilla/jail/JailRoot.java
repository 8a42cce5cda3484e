package org.flotilla.jail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The root directory every jailed process is chrooted into: empty, root-owned and read-only to the jailed
 * user, with the mount points that each jail fills in its own mount namespace — /usr (programs, libraries,
 * firmware; read-only), the few device nodes a QEMU opens, and /vm, the VM's run directory. One root serves
 * every VM: what a jail sees there is only what was mounted in its own namespace. The host's /bin, /lib… are
 * mirrored as the links (merged /usr) or the mount points they are.
 */
public final class JailRoot {
    /** Where a VM's run directory appears inside its jail. */
    public static final Path RUN = Path.of("/vm");
    /** Where a vTPM's state directory appears inside its swtpm's jail. */
    public static final Path TPM_STATE = Path.of("/tpm");
    /** Device nodes a jail may have, bound from the host's. */
    static final List<String> DEVICES = List.of("null", "urandom", "kvm");
    private static final List<String> TOP_LEVEL = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private final Path dir;
    /** Top-level directories that are real on this host (not links into /usr), each bound read-only. */
    private final List<String> realTopLevel;

    private JailRoot(Path dir, List<String> realTopLevel) {
        this.dir = dir;
        this.realTopLevel = realTopLevel;
    }

    /** Makes (or checks) the root under the daemon's state directory; idempotent. */
    public static JailRoot prepare(Path dir) throws IOException {
        var rx = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("usr", "dev", RUN.getFileName().toString(), TPM_STATE.getFileName().toString())) {
            Path p = dir.resolve(d);
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(p, rx);
        }
        for (String dev : DEVICES) {
            Path p = dir.resolve("dev").resolve(dev);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createFile(p);
        }
        var real = new ArrayList<String>();
        for (String name : TOP_LEVEL) {
            Path host = Path.of("/").resolve(name);
            Path mine = dir.resolve(name);
            if (Files.isSymbolicLink(host)) {
                Path target = Files.readSymbolicLink(host);
                if (Files.isSymbolicLink(mine) && Files.readSymbolicLink(mine).equals(target)) continue;
                Files.deleteIfExists(mine);
                Files.createSymbolicLink(mine, target);
            } else if (Files.isDirectory(host)) {
                if (!Files.isDirectory(mine, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(mine);
                    Files.createDirectory(mine, rx);
                }
                real.add(name);
            }
        }
        return new JailRoot(dir, List.copyOf(real));
    }

    public Path dir() { return dir; }

    /** The read-only binds every jail starts with: /usr and the host's real top-level program and library directories. */
    List<Bind> system() {
        var out = new ArrayList<Bind>();
        out.add(Bind.readOnly(Path.of("/usr"), "usr"));
        for (String name : realTopLevel) out.add(Bind.readOnly(Path.of("/").resolve(name), name));
        return out;
    }

    /** A host device node at /dev/{@code name} inside the jail. */
    public static Bind device(String name) {
        if (!DEVICES.contains(name)) throw new IllegalArgumentException("no mount point for /dev/" + name);
        return new Bind(Path.of("/dev").resolve(name), "dev/" + name, Bind.Kind.DEVICE);
    }
}

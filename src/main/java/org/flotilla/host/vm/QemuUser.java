package org.flotilla.host.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.flotilla.model.ApiError;

/**
 * The unprivileged user QEMU runs as (made with useradd --system if missing), and the setpriv prefix that
 * drops to it: QEMU is run, not trusted.
 */
final class QemuUser {
    private static final System.Logger LOG = System.getLogger(QemuUser.class.getName());

    private final String name;
    private final Path anyPath;
    private int uid = -1;
    private int gid = -1;

    /** @param anyPath a path on the file system whose user names apply (the state directory) */
    QemuUser(String name, Path anyPath) {
        this.name = name;
        this.anyPath = anyPath;
    }

    String name() { return name; }

    /** Finds the user, creating it the first time. */
    synchronized void ensure() {
        if (uid >= 0) return;
        try {
            String[] ids = idOf(name);
            if (ids == null) {
                HostFiles.run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", name));
                ids = idOf(name);
            }
            if (ids == null) throw ApiError.internal("cannot find or create the user " + name);
            uid = Integer.parseInt(ids[0]);
            gid = Integer.parseInt(ids[1]);
        } catch (RuntimeException e) {
            if (e instanceof ApiError a) throw a;
            throw ApiError.internal("cannot find or create the user " + name + ": " + e.getMessage());
        }
    }

    /**
     * The command that runs {@code argv} as this user in a session of its own (so that it outlives the
     * daemon), without capabilities or supplementary groups — but the group of /dev/kvm when QEMU is to use it.
     */
    synchronized List<String> confine(List<String> argv, boolean kvm) {
        var cmd = new ArrayList<String>(List.of("setsid", "setpriv", "--reuid=" + uid, "--regid=" + gid));
        Integer kvmGroup = kvm ? deviceGroup(Path.of("/dev/kvm")) : null;
        cmd.add(kvmGroup == null ? "--clear-groups" : "--groups=" + kvmGroup);
        cmd.addAll(List.of("--inh-caps=-all", "--no-new-privs"));
        cmd.addAll(argv);
        return cmd;
    }

    UserPrincipal principal() throws IOException {
        return anyPath.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
    }

    /**
     * QEMU opens /dev/net/tun as its own user to attach to its (pre-made, flotilla-qemu owned) taps. Debian's
     * udev makes the device 0666; where it is root-only (containers), the QEMU user's group gets read-write.
     */
    void ensureDeviceAccess(Path dev) {
        try {
            var perms = Files.getPosixFilePermissions(dev);
            if (perms.contains(PosixFilePermission.OTHERS_READ) && perms.contains(PosixFilePermission.OTHERS_WRITE)) return;
            var view = Files.getFileAttributeView(dev, PosixFileAttributeView.class);
            var group = dev.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            if (!view.readAttributes().group().equals(group)) {
                if (!view.readAttributes().group().getName().equals("root")) return; // an administrator's choice: leave it
                view.setGroup(group);
            }
            var next = new HashSet<>(perms);
            next.add(PosixFilePermission.GROUP_READ);
            next.add(PosixFilePermission.GROUP_WRITE);
            if (!next.equals(perms)) Files.setPosixFilePermissions(dev, next);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot give QEMU's user access to " + dev + ": " + e);
        }
    }

    /** uid and gid from /etc/passwd, or null. */
    private static String[] idOf(String user) {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = l.split(":");
                if (f.length > 3 && f[0].equals(user)) return new String[] {f[2], f[3]};
            }
        } catch (IOException ignored) { }
        return null;
    }

    /** The gid of a device readable and writable by its group, or null. */
    private static Integer deviceGroup(Path dev) {
        try {
            var perms = Files.getPosixFilePermissions(dev);
            if (!perms.contains(PosixFilePermission.GROUP_READ) || !perms.contains(PosixFilePermission.GROUP_WRITE)) return null;
            return (Integer) Files.getAttribute(dev, "unix:gid");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

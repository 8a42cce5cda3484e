package org.flotilla.storage;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an SR may live (device_config:location): an absolute path that neither is nor passes through the
 * kernel's views of the host — /proc (and with it every /proc/PID/root, which leads back to the whole file
 * system), /sys, /dev, or such a file system mounted elsewhere. Every link on the way is followed by hand, so
 * a link into /proc is caught even where the real path it resolves to (say /proc/self/root/etc → /etc) is not.
 */
final class SrLocation {
    /** The device_config key that holds an SR's directory. */
    static final String KEY = "location";
    private static final List<Path> KERNEL_VIEWS = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));
    private static final Set<String> KERNEL_FILE_SYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs",
            "securityfs", "tracefs", "configfs", "efivarfs", "bpf", "pstore", "binfmt_misc", "fusectl", "nsfs", "mqueue", "hugetlbfs");
    /** As the kernel's MAXSYMLINKS. */
    private static final int MAX_LINKS = 40;

    private SrLocation() {}

    /** The location in a device_config, checked; SR_BACKEND_FAILURE if it is missing or not a place for an SR. */
    static Path of(Map<String, String> deviceConfig) {
        String location = deviceConfig.get(KEY);
        if (location == null || location.isEmpty()) throw SmFailure.CONFIG_LOCATION_MISSING.error("device_config:location is missing");
        return check(location);
    }

    static Path check(String location) {
        Path p;
        try {
            p = Path.of(location);
        } catch (InvalidPathException e) {
            throw refused(location, "it is not a path");
        }
        if (!p.isAbsolute()) throw refused(location, "it is not an absolute path");
        refuseKernelView(location, p.normalize());
        Path real = walk(location, p);
        refuseKernelFileSystem(location, real);
        return p.normalize();
    }

    /** The path with every link resolved, each step checked as it is taken. */
    private static Path walk(String location, Path p) {
        Deque<String> todo = new ArrayDeque<>();
        for (Path c : p) todo.add(c.toString());
        Path current = p.getRoot();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (current.getParent() != null) current = current.getParent();
                continue;
            }
            Path next = current.resolve(c);
            refuseKernelView(location, next);
            if (!Files.isSymbolicLink(next)) {
                current = next;
                continue;
            }
            if (++links > MAX_LINKS) throw refused(location, "it passes through more than " + MAX_LINKS + " links");
            Path target;
            try {
                target = Files.readSymbolicLink(next);
            } catch (IOException e) {
                throw refused(location, "its link " + next + " cannot be read");
            }
            var parts = new ArrayDeque<String>();
            for (Path t : target) parts.add(t.toString());
            while (!parts.isEmpty()) todo.addFirst(parts.removeLast());
            if (target.isAbsolute()) current = target.getRoot();
        }
        return current;
    }

    private static void refuseKernelView(String location, Path p) {
        for (Path view : KERNEL_VIEWS) {
            if (p.startsWith(view)) throw refused(location, "it lies in " + view + ", the kernel's view of the host");
        }
    }

    /** The file system the location is (or will be made) on: the nearest directory there already. */
    private static void refuseKernelFileSystem(String location, Path real) {
        Path existing = real;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return;
        try {
            FileStore fs = Files.getFileStore(existing);
            if (KERNEL_FILE_SYSTEMS.contains(fs.type())) throw refused(location, "it is on a " + fs.type() + " file system");
        } catch (IOException e) {
            throw refused(location, "its file system cannot be read: " + e.getMessage());
        }
    }

    private static RuntimeException refused(String location, String why) {
        return SmFailure.INVALID_ARGUMENT.error("device_config:location " + Quoted.of(location) + " is not a place for an SR: " + why);
    }
}

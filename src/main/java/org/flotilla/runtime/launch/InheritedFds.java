package org.flotilla.runtime.launch;

import java.util.ArrayList;
import java.util.List;
import org.flotilla.os.Fd;
import org.flotilla.os.Spawner;

/**
 * The descriptors a QEMU starts with, in the order they get their numbers in it (3, 4, …), and the fdsets
 * ({@code -add-fd}) made of them. The daemon's copies are closed once QEMU has its own.
 */
final class InheritedFds implements AutoCloseable {
    private final List<Fd> fds = new ArrayList<>();
    private final List<String> addFds = new ArrayList<>();
    private int nextSet = 1;

    /** The number {@code fd} will have in QEMU. */
    int inherit(Fd fd) {
        fds.add(fd);
        return Spawner.FIRST_INHERITED + fds.size() - 1;
    }

    /** A new fdset of these descriptors, tagged {@code opaque}: its id, for {@code /dev/fdset/<id>}. */
    int fdset(List<Fd> members, String opaque) {
        int set = nextSet++;
        for (Fd f : members) addFds.add("fd=" + inherit(f) + ",set=" + set + ",opaque=" + opaque);
        return set;
    }

    List<Fd> all() { return List.copyOf(fds); }

    List<String> addFdOptions() { return List.copyOf(addFds); }

    @Override
    public void close() { for (Fd f : fds) f.close(); }
}

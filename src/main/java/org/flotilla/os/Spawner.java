package org.flotilla.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a program with exactly the descriptors it is given — stdin, stdout and stderr, then the
 * {@code inherited} ones numbered 3, 4, … in order — and nothing else of the daemon's: every other descriptor
 * closed, the environment only what the request names, default signal handling, in a session of its own
 * (so that it outlives the daemon, as a VM's QEMU does). posix_spawn(3) with file actions; the JDK's
 * ProcessBuilder cannot pass descriptors.
 */
public final class Spawner {
    private Spawner() {}

    /** The program, its argv (argv[0] included), environment entries {@code NAME=value}, and its descriptors. */
    public record Request(Path program, List<String> argv, List<String> env, Fd stdin, Fd stdout, Fd stderr, List<Fd> inherited) {}

    /** The number the first inherited descriptor has in the child. */
    public static final int FIRST_INHERITED = 3;

    /** Starts it; returns its pid. The caller reaps it (see {@link #reap}) or lets it outlive the daemon. */
    public static long spawn(Request r) throws OsException {
        var staged = new ArrayList<Fd>();
        try (Arena a = Arena.ofConfined()) {
            // every source is first copied above the numbers the child's descriptors will take, so that no
            // dup2 overwrites a source a later one still needs
            int above = Math.max(64, FIRST_INHERITED + r.inherited().size() + 1);
            List<Fd> sources = new ArrayList<>(List.of(r.stdin(), r.stdout(), r.stderr()));
            sources.addAll(r.inherited());
            for (Fd f : sources) staged.add(f.dupAtLeast(above));

            MemorySegment actions = a.allocate(Libc.FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(Libc.SPAWN_ATTR_SIZE, 16);
            check((int) Libc.FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) Libc.ATTR_INIT.invokeExact(attr), "posix_spawnattr_init");
            try {
                for (int i = 0; i < staged.size(); i++) {
                    check((int) Libc.FA_DUP2.invokeExact(actions, staged.get(i).value(), i), "posix_spawn_file_actions_adddup2");
                }
                check((int) Libc.FA_CLOSEFROM.invokeExact(actions, staged.size()), "posix_spawn_file_actions_addclosefrom_np");
                check((int) Libc.FA_CHDIR.invokeExact(actions, a.allocateFrom("/")), "posix_spawn_file_actions_addchdir_np");
                MemorySegment none = a.allocate(Libc.SIGSET_SIZE, 8);
                MemorySegment all = a.allocate(Libc.SIGSET_SIZE, 8);
                check((int) Libc.SIGEMPTYSET.invokeExact(none), "sigemptyset");
                check((int) Libc.SIGFILLSET.invokeExact(all), "sigfillset");
                check((int) Libc.ATTR_SETSIGMASK.invokeExact(attr, none), "posix_spawnattr_setsigmask");
                check((int) Libc.ATTR_SETSIGDEFAULT.invokeExact(attr, all), "posix_spawnattr_setsigdefault");
                short flags = (short) (Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);
                check((int) Libc.ATTR_SETFLAGS.invokeExact(attr, flags), "posix_spawnattr_setflags");

                MemorySegment pid = a.allocate(ValueLayout.JAVA_INT);
                int rc = (int) Libc.SPAWN.invokeExact(pid, a.allocateFrom(r.program().toString()), actions, attr,
                        strings(a, r.argv()), strings(a, r.env()));
                if (rc != 0) throw Libc.failure("cannot start " + r.program(), rc);
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                int ignored = (int) Libc.FA_DESTROY.invokeExact(actions);
                ignored = (int) Libc.ATTR_DESTROY.invokeExact(attr);
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        } finally {
            for (Fd f : staged) f.close();
        }
    }

    /**
     * Collects the exit status of a child that has ended (so that it leaves no zombie); false if it still runs
     * or is not this process's child.
     */
    public static boolean reap(long pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(ValueLayout.JAVA_INT);
            int r = (int) Libc.WAITPID.invokeExact(Libc.errnoSlot(a), (int) pid, status, Libc.WNOHANG);
            return r == pid;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static void check(int rc, String call) throws OsException {
        if (rc != 0) throw Libc.failure(call, rc);
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena a, List<String> values) {
        MemorySegment array = a.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) array.setAtIndex(ValueLayout.ADDRESS, i, a.allocateFrom(values.get(i)));
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }
}

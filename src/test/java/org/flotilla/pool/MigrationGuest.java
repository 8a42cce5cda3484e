package org.flotilla.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.vm.Templates;

/**
 * A test guest of a pool test that moves between hosts (a clone of the test template on the pool's default SR), and
 * what can be seen of it from outside its hosts' daemons: its serial console and QEMU processes on each host.
 */
record MigrationGuest(String ref, String uuid) {
    /** Dirties one byte of every page of 256 MiB for ever, printing a pass count every 64 passes. */
    static final String DIRTYING = "flotilla.mode=dirty flotilla.dirty_mib=256";
    /** Counts on its disk and its console every 50 ms. */
    static final String COUNTING = "flotilla.mode=counter flotilla.counter_ms=50";
    private static final Pattern COUNT = Pattern.compile("COUNT (\\d+)");
    private static final Pattern PASS = Pattern.compile("DIRTY pass (\\d+)");
    private static final String BOOTED = "FLOTILLA-GUEST up";
    private static final long MIB = 1L << 20;

    /** Made through {@code api}, started on {@code on}, running the test guest with {@code args} in {@code memory} bytes. */
    static MigrationGuest start(TestHost api, TestHost on, String name, String args, long memory) {
        return start(api, on, name, args, memory, false);
    }

    static MigrationGuest start(TestHost api, TestHost on, String name, String args, long memory, boolean paused) {
        String template = (String) ((List<?>) api.call("VM.get_by_name_label", Templates.TEST_GUEST_NAME)).getFirst();
        String vm = (String) api.call("VM.clone", template, name);
        api.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 " + args);
        String size = Long.toString(memory);
        api.call("VM.set_memory_limits", vm, Long.toString(Math.min(memory, 128 * MIB)), size, size, size);
        api.call("VM.provision", vm);
        // a member reads its own copy of the pool's database, which may not have the VM yet
        if (on != api) PoolWaits.await(Duration.ofSeconds(30), on.name() + " to know the VM", () -> on.call("VM.get_uuid", vm) != null);
        // asked of the host itself: VM.start_on asked of the coordinator for a member fails there with
        // OTHER_OPERATION_IN_PROGRESS naming its own start_on
        on.call("VM.start_on", vm, on.hostRef(), paused, false);
        return new MigrationGuest(vm, (String) api.call("VM.get_uuid", vm));
    }

    Path runDir(TestHost h) { return h.stateDir().resolve("run").resolve(uuid); }

    String serial(TestHost h) {
        Path log = runDir(h).resolve("serial.log");
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    void awaitSerial(TestHost h, String text, Duration limit) {
        PoolWaits.await(limit, "\"" + text + "\" on the console of " + name(h), () -> serial(h).contains(text));
    }

    /** The QEMU of this VM on {@code h} by its pid file (waiting for one to be written). */
    long qemuPid(TestHost h) {
        Path pid = runDir(h).resolve("qemu.pid");
        PoolWaits.await(Duration.ofSeconds(30), "a pid file of " + name(h), () -> Files.exists(pid) && !read(pid).isBlank());
        return Long.parseLong(read(pid).trim());
    }

    /** Every process chrooted into {@code h}'s state (its VMs' jails) whose command line names this VM. */
    List<Long> qemusOn(TestHost h) {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                // the same directory, not the same name: inside a chroot the link reads as the path seen from outside it
                return Files.isSameFile(Path.of("/proc/" + p.pid() + "/root"), h.stateDir().resolve("jail"))
                        && Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).contains(uuid);
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    /** How many times the guest booted on {@code h}. */
    int boots(TestHost h) { return serial(h).split(BOOTED, -1).length - 1; }

    long lastDirtyPass(TestHost h) { return last(PASS, serial(h)); }

    long lastCount(TestHost h) { return lastCount(serial(h)); }

    static long lastCount(String serial) { return last(COUNT, serial); }

    long firstCount(TestHost h) {
        Matcher m = COUNT.matcher(serial(h));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private String name(TestHost h) { return "VM " + uuid + " on " + h; }

    private static long last(Pattern p, String s) {
        long last = -1;
        for (Matcher m = p.matcher(s); m.find(); ) last = Long.parseLong(m.group(1));
        return last;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}

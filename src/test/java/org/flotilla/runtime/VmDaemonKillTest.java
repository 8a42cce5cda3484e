package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.runtime.launch.QemuCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The daemon as a real process, over HTTPS: a VM installed from the test guest template and started keeps
 * running through a kill -9 of the daemon, and the next daemon reattaches it.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmDaemonKillTest {
    @TempDir Path state;
    private Process daemon;
    private int currentPort;
    private final List<Long> qemus = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (daemon != null) daemon.destroyForcibly();
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> { p.destroyForcibly(); p.onExit().join(); });
    }

    @Test
    void vmsOutliveAKilledDaemon() throws Exception {
        Rpc rpc = RemoteRpc.of("127.0.0.1", firstStart(), true);
        String s = login(rpc);
        String vm = install(rpc, s, "survivor");
        rpc.call("VM.start", args(s, vm, false, false));
        assertEquals("Running", rpc.call("VM.get_power_state", args(s, vm)));
        String uuid = (String) rpc.call("VM.get_uuid", args(s, vm));
        Object domid = rpc.call("VM.get_domid", args(s, vm));
        Path run = state.resolve("run").resolve(uuid);
        long pid = Long.parseLong(Files.readString(run.resolve("qemu.pid")).strip());
        qemus.add(pid);
        VmHost.await(() -> read(run.resolve("serial.log")).contains("FLOTILLA-GUEST up"), Duration.ofSeconds(30 * LOADED), "the guest");

        daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU survives the daemon's kill -9");

        rpc = RemoteRpc.of("127.0.0.1", start(), true);
        s = login(rpc);
        assertEquals("Running", rpc.call("VM.get_power_state", args(s, vm)));
        assertEquals(domid, rpc.call("VM.get_domid", args(s, vm)));
        assertEquals(2, ((List<?>) rpc.call("VM.get_consoles", args(s, vm))).size(), "rfb and vt100");
        rpc.call("VM.clean_shutdown", args(s, vm));
        assertEquals("Halted", rpc.call("VM.get_power_state", args(s, vm)));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /**
     * kill -9 of the daemon at several moments of VM.start — before, while and after QEMU is launched: after
     * each restart the VM is either Running with its QEMU, or Halted with no QEMU, no run directory and no
     * operation pending; its disk is intact and it starts again.
     */
    @Test
    void aKillDuringStartLeavesTheVmWholeAndStartable() throws Exception {
        Rpc rpc = RemoteRpc.of("127.0.0.1", firstStart(), true);
        String s = login(rpc);
        String vm = install(rpc, s, "interrupted");
        String uuid = (String) rpc.call("VM.get_uuid", args(s, vm));
        List<String> disks = diskFiles(rpc, s, vm);
        var outcomes = new ArrayList<String>();
        Path run = state.resolve("run").resolve(uuid);
        var moments = new LinkedHashMap<String, java.util.function.BooleanSupplier>();
        moments.put("as the call leaves", () -> true);
        moments.put("run directory made", () -> Files.exists(run));
        moments.put("QEMU's pid file written", () -> Files.exists(QemuCommand.pidFile(run)));
        moments.put("QMP socket up", () -> Files.exists(QemuCommand.qmpSocket(run)));
        moments.put("guest booting", () -> read(QemuCommand.serialLog(run)).length() > 0);
        for (var moment : moments.entrySet()) {
            Rpc caller = RemoteRpc.of("127.0.0.1", currentPort, true);
            String callerSession = login(caller);
            var returned = new java.util.concurrent.atomic.AtomicBoolean();
            Thread starter = Thread.ofVirtual().start(() -> {
                try {
                    caller.call("VM.start", args(callerSession, vm, false, false));
                    returned.set(true);
                } catch (RuntimeException connectionLost) { }
            });
            VmHost.await(() -> moment.getValue().getAsBoolean() || returned.get(), Duration.ofSeconds(30 * LOADED), moment.getKey());
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            starter.join(Duration.ofSeconds(30));
            qemus.addAll(qemuPids(uuid));

            rpc = RemoteRpc.of("127.0.0.1", start(), true);
            s = login(rpc);
            String power = (String) rpc.call("VM.get_power_state", args(s, vm));
            outcomes.add(moment.getKey() + (returned.get() ? " (after the call returned)" : "") + ": " + power);
            assertEquals(Map.of(), rpc.call("VM.get_current_operations", args(s, vm)), "no operation left pending");
            for (String disk : disks) assertTrue(Files.exists(Path.of(disk)), "disk file " + disk + " kept");
            switch (power) {
                case "Running" -> {
                    assertEquals(1, qemuPids(uuid).size(), "one QEMU for the running VM");
                    VmHost.await(() -> read(run.resolve("serial.log")).contains("FLOTILLA-GUEST up"), Duration.ofSeconds(30 * LOADED),
                            "the guest adopted after an interrupted start runs");
                    rpc.call("VM.hard_shutdown", args(s, vm));
                }
                case "Halted" -> {
                    assertEquals(List.of(), qemuPids(uuid), "no QEMU left for a halted VM");
                    assertFalse(Files.exists(run), "no run directory left for a halted VM");
                    assertEquals("-1", String.valueOf(rpc.call("VM.get_domid", args(s, vm))));
                }
                default -> throw new AssertionError("after a kill during VM.start the VM is " + power);
            }
            assertTrue(((List<?>) rpc.call("VM.get_allowed_operations", args(s, vm))).contains("start"));
        }
        rpc.call("VM.start", args(s, vm, false, false));
        assertEquals("Running", rpc.call("VM.get_power_state", args(s, vm)));
        rpc.call("VM.hard_shutdown", args(s, vm));
        assertEquals(List.of(), qemuPids(uuid));
        System.out.println("kill during VM.start: " + outcomes);
    }

    /** The image files of the VM's disks, found under the state directory by their VDIs' locations. */
    private List<String> diskFiles(Rpc rpc, String s, String vm) throws IOException {
        var names = new ArrayList<String>();
        for (Object vbd : (List<?>) rpc.call("VM.get_VBDs", args(s, vm))) {
            String vdi = (String) rpc.call("VBD.get_VDI", args(s, vbd));
            if (!vdi.equals("OpaqueRef:NULL")) names.add(rpc.call("VDI.get_location", args(s, vdi)) + ".qcow2");
        }
        assertFalse(names.isEmpty(), "the VM has a disk");
        try (var found = Files.walk(state)) {
            List<String> files = found.filter(f -> names.contains(f.getFileName().toString())).map(Path::toString).toList();
            assertEquals(names.size(), files.size(), "every disk has its file: " + names);
            return files;
        }
    }

    /** The live QEMUs whose command line names this VM. */
    private static List<Long> qemuPids(String uuid) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(uuid)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    private int firstStart() throws IOException, InterruptedException {
        VmHost.ensureBuilt();
        Files.writeString(state.resolve("pw"), "kill-test\n");
        return start();
    }

    /** A VM from the test guest template, with its disks: what vm-install does. */
    private static String install(Rpc rpc, String s, String name) {
        String template = (String) ((List<?>) rpc.call("VM.get_by_name_label", args(s, "Flotilla test guest"))).getFirst();
        String vm = (String) rpc.call("VM.clone", args(s, template, name));
        rpc.call("VM.provision", args(s, vm));
        return vm;
    }

    private static String read(Path p) {
        try { return Files.exists(p) ? Files.readString(p) : ""; } catch (IOException e) { return ""; }
    }

    private int start() throws IOException {
        var started = org.flotilla.daemon.DaemonProcess.start(state, state.resolve("pw"));
        daemon = started.process();
        currentPort = started.port();
        return currentPort;
    }

    private static String login(Rpc rpc) { return (String) rpc.call("session.login_with_password", args("root", "kill-test")); }

    private static List<Object> args(Object... a) { return new ArrayList<>(List.of(a)); }
}

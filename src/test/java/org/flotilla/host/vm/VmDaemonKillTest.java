package org.flotilla.host.vm;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The daemon as a real process, over HTTPS: a VM installed from the test guest template and started keeps
 * running through a kill -9 of the daemon, and the next daemon reattaches it.
 */
@Execution(ExecutionMode.CONCURRENT)
class VmDaemonKillTest {
    @TempDir Path state;
    private Process daemon;
    private final List<Long> qemus = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (daemon != null) daemon.destroyForcibly();
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> { p.destroyForcibly(); p.onExit().join(); });
    }

    @Test
    void vmsOutliveAKilledDaemon() throws Exception {
        VmHost.ensureBuilt();
        Files.writeString(state.resolve("pw"), "kill-test\n");
        Rpc rpc = RemoteRpc.of("127.0.0.1", start(), true);
        String s = login(rpc);
        String template = (String) ((List<?>) rpc.call("VM.get_by_name_label", args(s, "Flotilla test guest"))).getFirst();
        String vm = (String) rpc.call("VM.clone", args(s, template, "survivor"));
        rpc.call("VM.provision", args(s, vm));
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

    private static String read(Path p) {
        try { return Files.exists(p) ? Files.readString(p) : ""; } catch (IOException e) { return ""; }
    }

    private int start() throws IOException {
        var started = org.flotilla.daemon.DaemonProcess.start(state, state.resolve("pw"));
        daemon = started.process();
        return started.port();
    }

    private static String login(Rpc rpc) { return (String) rpc.call("session.login_with_password", args("root", "kill-test")); }

    private static List<Object> args(Object... a) { return new ArrayList<>(List.of(a)); }
}

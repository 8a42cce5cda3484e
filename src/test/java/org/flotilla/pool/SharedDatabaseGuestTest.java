package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.flotilla.Slow;
import org.flotilla.TestTimeouts;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real guest running on one host of a shared database while another host starts, restarts and is asked to stop it:
 * the guest's QEMU and record are left to the host that runs it.
 */
@Slow
class SharedDatabaseGuestTest {
    @TempDir Path dir;
    NodesOnOneDatabase hosts;
    Database db;

    @BeforeEach
    void hosts() {
        hosts = new NodesOnOneDatabase(dir);
        db = hosts.db;
    }

    @AfterEach
    void cleanUp() { hosts.close(); }

    Node start(int i) { return hosts.start(i); }

    static Object call(Node node, String method, Object... params) { return NodesOnOneDatabase.call(node, method, params); }

    static String login(Node node) { return NodesOnOneDatabase.login(node); }

    @Test
    void aGuestRunningOnOneHostSurvivesAnotherHostsStartsAndCalls() throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        Node a = start(0);
        Ref<VM> vm = hosts.newGuest("on A", "idle");
        a.vmRuntime().refreshAllowedOperations();
        String sa = login(a);
        call(a, "VM.start", sa, vm.value(), false, false);
        long pid = a.vmRuntime().pids().get(vm);
        hosts.track(pid);
        Path serial = hosts.state(0).resolve("run").resolve(db.require(vm).get(VM.uuid)).resolve("serial.log");
        awaitGuest(serial);

        Node b = start(1);
        String sb = login(b);
        ApiError e = assertThrows(ApiError.class, () -> call(b, "VM.hard_shutdown", sb, vm.value()));
        assertEquals(List.of("CANNOT_CONTACT_HOST", a.hostRef()), e.description());
        hosts.stop(1);
        Node restarted = start(1);
        assertEquals(VmPowerState.Running, db.require(vm).get(VM.power_state), "B's starts leave A's guest running");
        assertEquals(a.host(), db.require(vm).get(VM.resident_on));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "and its QEMU");
        assertTrue(restarted.vmRuntime().pids().isEmpty(), "B adopts nothing");

        call(a, "VM.hard_shutdown", sa, vm.value());
        assertEquals(VmPowerState.Halted, db.require(vm).get(VM.power_state));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    private static void awaitGuest(Path serial) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30L * TestTimeouts.LOADED).toNanos();
        while (!(Files.exists(serial) && Files.readString(serial).contains("FLOTILLA-GUEST up"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the guest did not come up:\n" + (Files.exists(serial) ? Files.readString(serial) : ""));
            Thread.sleep(50);
        }
    }
}

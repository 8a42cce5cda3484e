package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.TestDomainIds;
import org.flotilla.TestTimeouts;
import org.flotilla.api.ApiLimits;
import org.flotilla.api.Refs;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real guest running on one host of a shared database while another host starts, restarts and is asked to stop it:
 * the guest's QEMU and record are left to the host that runs it.
 */
@Slow
class SharedDatabaseGuestTest {
    @TempDir Path dir;
    final Database db = new Database(XenApi.model(), Journal.NONE);
    final List<Node> nodes = new ArrayList<>(Arrays.asList(null, null));
    final List<Long> qemus = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Node n : nodes) {
            if (n != null) {
                qemus.addAll(n.vmRuntime().pids().values());
                n.close();
            }
        }
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
        for (int i = 0; i < nodes.size(); i++) TestDomainIds.removeTaps(dir.resolve("host" + i));
        db.close();
    }

    Node start(int i) {
        Path state = dir.resolve("host" + i);
        TestDomainIds.seed(state);
        HostFacts machine = HostFacts.read("127.0.0.1");
        var facts = new HostFacts("host" + i, "10.249.1." + (i + 1), machine.memoryTotal(), machine.memoryFree(), machine.cpuCount(),
                machine.cpuInfo(), machine.hardwareVirtualization());
        Node node = new Node(state, db, (u, p) -> true, facts, r -> "<value>" + r + "</value>", ApiLimits.defaults());
        nodes.set(i, node);
        return node;
    }

    static Object call(Node node, String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    static String login(Node node) { return (String) call(node, "session.login_with_password", "root", "x"); }

    @Test
    void aGuestRunningOnOneHostSurvivesAnotherHostsStartsAndCalls() throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        Node a = start(0);
        Ref<VM> vm = Refs.newRef(VM.CLASS);
        var fields = TestGuest.vmFields("on A", 128, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
        fields.put("uuid", Refs.newUuid());
        fields.put("power_state", "Halted");
        fields.put("memory_target", 128L << 20);
        db.write(tx -> tx.put(VM.CLASS.name(), vm.value(), fields));
        a.vmRuntime().refreshAllowedOperations();
        String sa = login(a);
        call(a, "VM.start", sa, vm.value(), false, false);
        long pid = a.vmRuntime().pids().get(vm);
        qemus.add(pid);
        Path serial = dir.resolve("host0").resolve("run").resolve((String) fields.get("uuid")).resolve("serial.log");
        awaitGuest(serial);

        Node b = start(1);
        String sb = login(b);
        ApiError e = assertThrows(ApiError.class, () -> call(b, "VM.hard_shutdown", sb, vm.value()));
        assertEquals(List.of("CANNOT_CONTACT_HOST", a.hostRef()), e.description());
        nodes.get(1).close();
        nodes.set(1, null);
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

package org.flotilla.pool;

import static org.flotilla.pool.NodesOnOneDatabase.call;
import static org.flotilla.pool.NodesOnOneDatabase.login;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.daemon.Node;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.flotilla.storage.NfsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts of one database in one JVM sharing an NFS SR on a real NFSv3 server (ganesha in a namespace of the test's):
 * each plugs it through its own PBD, reaching it in userspace alone; one writer per disk across them; and a running
 * guest on an NFS disk moves live from one to the other, its QEMUs on both sides opening the disk with QEMU's nfs driver.
 */
@Slow
class NfsPoolMigrateTest {

    @TempDir Path dir;
    NfsServer server;
    NodesOnOneDatabase hosts;

    @BeforeEach
    void serve() throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        server = NfsServer.onItsOwnNetwork();
    }

    @AfterEach
    void cleanUp() {
        try {
            if (hosts != null) hosts.close();
        } finally {
            server.close();
        }
    }

    @Test
    void aGuestOnAnNfsDiskMovesLiveToTheOtherHostAndHasOneWriter() throws Exception {
        hosts = new NodesOnOneDatabase(dir);
        Node a = hosts.start(0);
        Node b = hosts.start(1);
        String sa = login(a);
        String sb = login(b);
        for (Node n : List.of(a, b)) n.vmRuntime().listenForMigrationsOn(InetAddress.getLoopbackAddress());
        a.vmRuntime().setMigrationPeers(h -> b.vmRuntime().migrationTarget());

        Ref<SR> sr = SR.CLASS.ref((String) call(a, "SR.create", sa, a.hostRef(),
                Map.of("server", server.address(), "serverpath", NfsServer.EXPORT), 0L, "pool's nfs", "", "nfs", "user", true, Map.of()));
        for (DbObject<PBD> pbd : hosts.db.referring(PBD.SR, sr)) {
            if (pbd.get(PBD.host).equals(b.host()) && !pbd.get(PBD.currently_attached)) call(b, "PBD.plug", sb, pbd.ref());
        }
        assertTrue(hosts.db.referring(PBD.SR, sr).stream().allMatch(p -> p.get(PBD.currently_attached)), "every host plugged the NFS SR");

        var disk = new LinkedHashMap<String, Object>(Map.of("name_label", "counter disk", "SR", sr.value(), "virtual_size", 16L << 20,
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
        String vdi = (String) call(b, "VDI.create", sb, disk);
        Ref<VM> vm = guestWith(hosts, "mover", vdi);
        a.vmRuntime().refreshAllowedOperations();
        call(a, "VM.start_on", sa, vm.value(), a.hostRef(), false, false);
        long pidA = a.vmRuntime().pids().get(vm);
        hosts.track(pidA);
        assertTrue(cmdline(pidA).contains("\"driver\":\"nfs\""), "A's QEMU opens the disk over NFS");
        long countedOnA = TestGuest.awaitCounts(serial(0, vm), 3).getLast();

        // one writer: another VM with the same disk starts on neither host
        Ref<VM> second = guestWith(hosts, "second writer", vdi);
        b.vmRuntime().refreshAllowedOperations();
        assertEquals(List.of("VDI_IN_USE", vdi), assertThrows(ApiError.class,
                () -> call(b, "VM.start_on", sb, second.value(), b.hostRef(), false, false)).description());
        assertTrue(b.vmRuntime().pids().isEmpty(), "no QEMU started on B");

        call(a, "VM.pool_migrate", sa, vm.value(), b.hostRef(), Map.of());
        assertEquals(b.host(), hosts.db.require(vm).get(VM.resident_on));
        assertEquals(VmPowerState.Running, hosts.db.require(vm).get(VM.power_state));
        assertFalse(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "A's QEMU is gone");
        long pidB = b.vmRuntime().pids().get(vm);
        hosts.track(pidB);
        assertTrue(cmdline(pidB).contains("\"driver\":\"nfs\""), "B's QEMU opens the disk over NFS");
        List<Long> onB = TestGuest.awaitCounts(serial(1, vm), 3);
        assertFalse(Files.readString(serial(1, vm)).contains("FLOTILLA-GUEST up"), "the guest was not booted again on B");
        assertTrue(onB.getFirst() > countedOnA, "B counts on from where A was: " + onB + " after " + countedOnA);

        // still one writer, now B's
        a.vmRuntime().refreshAllowedOperations();
        assertEquals("VDI_IN_USE", assertThrows(ApiError.class,
                () -> call(a, "VM.start_on", sa, second.value(), a.hostRef(), false, false)).code());
        call(b, "VM.hard_shutdown", sb, vm.value());
        assertEquals(VmPowerState.Halted, hosts.db.require(vm).get(VM.power_state));
    }

    private static Ref<VM> guestWith(NodesOnOneDatabase hosts, String name, String vdi) {
        Ref<VM> vm = hosts.newGuest(name, "counter flotilla.counter_ms=50");
        hosts.attachDisk(vm, vdi);
        return vm;
    }

    private Path serial(int host, Ref<VM> vm) {
        return hosts.state(host).resolve("run").resolve(hosts.db.require(vm).get(VM.uuid)).resolve("serial.log");
    }

    private static String cmdline(long pid) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), java.nio.charset.StandardCharsets.ISO_8859_1).replace('\0', ' ');
    }
}

package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.SR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared SR in a pool of two daemons in their own namespaces: SR.create asked of the member for the coordinator is
 * forwarded there, and the coordinator has the member plug its own PBD through a call forwarded back over the
 * members' TLS; the member then makes disks in the directory both reach.
 */
@Slow
class SharedSrPoolTest {
    @TempDir Path dir;

    @Test
    void aSharedSrIsPluggedOnEveryMemberThroughForwardedCalls() throws Exception {
        try (TestHosts pool = TestHosts.startPool(2)) {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            Path location = dir.resolve("shared");
            String sr = (String) h1.call("SR.create", h0.hostRef(), Map.of("location", location.toString()), 0L, "shared", "", "file",
                    "user", true, Map.of());
            List<?> pbds = (List<?>) h0.call("SR.get_PBDs", sr);
            assertEquals(2, pbds.size());
            Set<Object> hosts = new HashSet<>();
            for (Object pbd : pbds) {
                assertEquals(true, h0.call("PBD.get_currently_attached", pbd), "plugged on " + h0.call("PBD.get_host", pbd));
                hosts.add(h0.call("PBD.get_host", pbd));
            }
            assertEquals(Set.of(h0.hostRef(), h1.hostRef()), hosts);

            aDiskMadeByTheMemberIsInTheSrsDirectory(h0, h1, sr, location);

            // a guest on the shared SR moves live from the coordinator to the member, asked of the member
            String vm = guestRunningOnTheCoordinator(h0, h1, sr, "moves");
            long t0 = System.nanoTime();
            var err = new java.io.ByteArrayOutputStream();
            int code = new org.flotilla.cli.Xe(org.flotilla.cli.HostConnector.XML_RPC, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                    new java.io.PrintStream(err)).run(List.of("-s", h1.address(), "-u", "root", "-pw", h1.password(), "vm-migrate",
                    "uuid=" + h1.call("VM.get_uuid", vm), "host-uuid=" + h1.uuid()), Map.of(), null);
            assertEquals(0, code, "xe vm-migrate: " + err);
            System.out.printf("VM.pool_migrate between two daemons took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            runsOnTheMemberTillTheSrIsDestroyed(h0, h1, vm, sr, pbds);
            assertFalse(Files.exists(location));
        }
    }

    /** A disk the member makes on the SR is an image in {@code dir}, which the coordinator's VDI.destroy removes. */
    static void aDiskMadeByTheMemberIsInTheSrsDirectory(TestHost h0, TestHost h1, String sr, Path dir) {
        String vdi = (String) h1.call("VDI.create", SharedDatabaseTest.vdiArgs(SR.CLASS.ref(sr), "made on the member"));
        Path image = dir.resolve(h1.call("VDI.get_location", vdi) + ".qcow2");
        assertTrue(Files.isRegularFile(image));
        h0.call("VDI.destroy", vdi);
        assertFalse(Files.exists(image));
    }

    /** A test guest provisioned on the SR (the pool's default from now on) and started on the coordinator, asked of the member. */
    static String guestRunningOnTheCoordinator(TestHost h0, TestHost h1, String sr, String name) {
        h0.call("pool.set_default_SR", PoolWaits.firstPool(h0), sr);
        String template = (String) ((List<?>) h0.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
        String vm = (String) h1.call("VM.clone", template, name);
        h1.call("VM.provision", vm);
        h1.call("VM.start_on", vm, h0.hostRef(), false, false);
        assertEquals(h0.hostRef(), h1.call("VM.get_resident_on", vm));
        return vm;
    }

    /** The guest runs on the member; stopped and destroyed with its disks, the SR unplugged everywhere and destroyed. */
    static void runsOnTheMemberTillTheSrIsDestroyed(TestHost h0, TestHost h1, String vm, String sr, List<?> pbds) {
        assertEquals(h1.hostRef(), h0.call("VM.get_resident_on", vm));
        assertEquals("Running", h0.call("VM.get_power_state", vm));
        h0.call("VM.hard_shutdown", vm);
        assertEquals("Halted", h1.call("VM.get_power_state", vm));
        h1.call("VM.destroy", vm);
        for (Object v : (List<?>) h0.call("SR.get_VDIs", sr)) h0.call("VDI.destroy", v);
        for (Object pbd : pbds) h1.call("PBD.unplug", pbd);
        h1.call("SR.destroy", sr);
    }
}

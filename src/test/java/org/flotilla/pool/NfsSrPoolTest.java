package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.model.xenapi.SR;
import org.flotilla.storage.NfsServer;
import org.junit.jupiter.api.Test;

/**
 * An NFS SR in a pool of two daemons in their own namespaces, the NFS server (ganesha) in the namespace of the switch
 * that joins them: created through the member, plugged by both, a disk made by one and a guest provisioned on it that
 * moves live from the coordinator to the member, each host reaching the export in userspace alone.
 */
@Slow
class NfsSrPoolTest {
    @Test
    void anNfsSrIsPluggedOnEveryMemberAndAGuestOnItMovesLive() throws Exception {
        try (TestHosts pool = TestHosts.start(2); NfsServer server = NfsServer.inSwitch(pool.network())) {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            h1.call("pool.join", h0.address(), "root", h0.password());
            PoolWaits.awaitMember(h1, 2, java.time.Duration.ofSeconds(60));
            String sr = (String) h1.call("SR.create", h0.hostRef(), Map.of("server", server.address(), "serverpath", NfsServer.EXPORT), 0L,
                    "pool's nfs", "", "nfs", "user", true, Map.of());
            List<?> pbds = (List<?>) h0.call("SR.get_PBDs", sr);
            assertEquals(2, pbds.size());
            for (Object pbd : pbds) assertEquals(true, h0.call("PBD.get_currently_attached", pbd), "plugged on " + h0.call("PBD.get_host", pbd));
            Path srDir = server.exportDir().resolve((String) h0.call("SR.get_uuid", sr));
            assertTrue(Files.isDirectory(srDir));

            String vdi = (String) h1.call("VDI.create", SharedDatabaseTest.vdiArgs(SR.CLASS.ref(sr), "made on the member"));
            Path image = srDir.resolve(h1.call("VDI.get_location", vdi) + ".qcow2");
            assertTrue(Files.isRegularFile(image));
            h0.call("VDI.destroy", vdi);
            assertFalse(Files.exists(image));

            h0.call("pool.set_default_SR", PoolWaits.firstPool(h0), sr);
            String template = (String) ((List<?>) h0.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
            String vm = (String) h1.call("VM.clone", template, "moves over nfs");
            h1.call("VM.provision", vm);
            h1.call("VM.start_on", vm, h0.hostRef(), false, false);
            assertEquals(h0.hostRef(), h1.call("VM.get_resident_on", vm));
            long t0 = System.nanoTime();
            h1.call("VM.pool_migrate", vm, h1.hostRef(), Map.of());
            System.out.printf("VM.pool_migrate of a guest on NFS between two daemons took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertEquals(h1.hostRef(), h0.call("VM.get_resident_on", vm));
            assertEquals("Running", h0.call("VM.get_power_state", vm));
            h0.call("VM.hard_shutdown", vm);
            assertEquals("Halted", h1.call("VM.get_power_state", vm));
            h1.call("VM.destroy", vm);
            for (Object v : (List<?>) h0.call("SR.get_VDIs", sr)) h0.call("VDI.destroy", v);

            for (Object pbd : pbds) h1.call("PBD.unplug", pbd);
            h1.call("SR.destroy", sr);
            assertFalse(Files.exists(srDir), "SR.destroy removed the SR's directory on the server");
        }
    }
}

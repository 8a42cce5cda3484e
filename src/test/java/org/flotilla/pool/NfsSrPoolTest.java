package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
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
        try (TestHosts pool = TestHosts.startPool(2); NfsServer server = NfsServer.inSwitch(pool.network())) {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            String sr = (String) h1.call("SR.create", h0.hostRef(), Map.of("server", server.address(), "serverpath", NfsServer.EXPORT), 0L,
                    "pool's nfs", "", "nfs", "user", true, Map.of());
            List<?> pbds = (List<?>) h0.call("SR.get_PBDs", sr);
            assertEquals(2, pbds.size());
            for (Object pbd : pbds) assertEquals(true, h0.call("PBD.get_currently_attached", pbd), "plugged on " + h0.call("PBD.get_host", pbd));
            Path srDir = server.exportDir().resolve((String) h0.call("SR.get_uuid", sr));
            assertTrue(Files.isDirectory(srDir));

            SharedSrPoolTest.aDiskMadeByTheMemberIsInTheSrsDirectory(h0, h1, sr, srDir);

            String vm = SharedSrPoolTest.guestRunningOnTheCoordinator(h0, h1, sr, "moves over nfs");
            long t0 = System.nanoTime();
            h1.call("VM.pool_migrate", vm, h1.hostRef(), Map.of());
            System.out.printf("VM.pool_migrate of a guest on NFS between two daemons took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            SharedSrPoolTest.runsOnTheMemberTillTheSrIsDestroyed(h0, h1, vm, sr, pbds);
            assertFalse(Files.exists(srDir), "SR.destroy removed the SR's directory on the server");
        }
    }
}

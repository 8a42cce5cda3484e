package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.SR;
import org.flotilla.storage.IscsiTarget;
import org.junit.jupiter.api.Test;

/**
 * An lvmoiscsi SR in a pool of two daemons in their own namespaces, the target (tgtd) in the namespace of the switch
 * that joins them: probed and created through the member, plugged by both; a disk asked of the member is made on the
 * coordinator, which alone writes the LUN's table; a guest provisioned on it moves live from the coordinator to the
 * member, each host reaching the LUN in userspace alone.
 */
@Slow
class IscsiSrPoolTest {
    private static final Pattern SCSI_ID = Pattern.compile("<SCSIid>([^<]+)</SCSIid>");

    @Test
    void anIscsiSrIsPluggedOnEveryMemberAndAGuestOnItMovesLive() throws Exception {
        try (TestHosts pool = TestHosts.start(2); IscsiTarget target = IscsiTarget.inSwitch(pool.network(), List.of(256L << 20))) {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            h1.call("pool.join", h0.address(), "root", h0.password());
            PoolWaits.awaitMember(h1, 2, java.time.Duration.ofSeconds(60));
            var config = new HashMap<String, String>(Map.of("target", target.address(), "targetIQN", IscsiTarget.IQN));
            ApiError luns = assertThrows(ApiError.class, () -> h1.call("SR.probe", h1.hostRef(), config, "lvmoiscsi", Map.of()));
            Matcher m = SCSI_ID.matcher(luns.params().get(2));
            assertTrue(m.find(), luns.toString());
            config.put("SCSIid", m.group(1));
            String sr = (String) h1.call("SR.create", h0.hostRef(), config, 0L, "pool's iscsi", "", "lvmoiscsi", "user", true, Map.of());
            List<?> pbds = (List<?>) h0.call("SR.get_PBDs", sr);
            assertEquals(2, pbds.size());
            for (Object pbd : pbds) assertEquals(true, h0.call("PBD.get_currently_attached", pbd), "plugged on " + h0.call("PBD.get_host", pbd));

            // asked of the member, made by the coordinator: the member never writes the table
            String vdi = (String) h1.call("VDI.create", SharedDatabaseTest.vdiArgs(SR.CLASS.ref(sr), "asked of the member"));
            assertEquals(Long.toString(1L << 20), h1.call("SR.get_physical_utilisation", sr));
            h1.call("VDI.destroy", vdi);
            assertEquals("0", h0.call("SR.get_physical_utilisation", sr));

            String vm = SharedSrPoolTest.guestRunningOnTheCoordinator(h0, h1, sr, "moves over iscsi");
            long t0 = System.nanoTime();
            h1.call("VM.pool_migrate", vm, h1.hostRef(), Map.of());
            System.out.printf("VM.pool_migrate of a guest on iSCSI between two daemons took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            SharedSrPoolTest.runsOnTheMemberTillTheSrIsDestroyed(h0, h1, vm, sr, pbds);
            assertEquals("<?xml version=\"1.0\" ?>\n<SRlist/>\n", h0.call("SR.probe", h0.hostRef(), config, "lvmoiscsi", Map.of()),
                    "SR.destroy left the LUN free");
        }
    }
}

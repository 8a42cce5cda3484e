package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * member, each host reaching the LUN in userspace alone, and is suspended and resumed there with its memory's image in
 * the SR. The target wants CHAP, so every session logs in with the
 * SR's credentials: the daemons', each QEMU's, and the storage daemon through which a halted VM's disk is copied
 * into the SR from another host.
 */
@Slow
class IscsiSrPoolTest {
    private static final Pattern SCSI_ID = Pattern.compile("<SCSIid>([^<]+)</SCSIid>");

    @Test
    void anIscsiSrIsPluggedOnEveryMemberAndAGuestOnItMovesLive() throws Exception {
        String password = "chap-secret-" + Long.toHexString(System.nanoTime());
        try (TestHosts pool = TestHosts.start(2); IscsiTarget target = IscsiTarget.inSwitch(pool.network(), List.of(256L << 20), "flotilla", password)) {
            TestHost h0 = pool.host(0);
            TestHost h1 = pool.host(1);
            h1.call("pool.join", h0.address(), "root", h0.password());
            PoolWaits.awaitMember(h1, 2, java.time.Duration.ofSeconds(60));
            var config = new HashMap<String, String>(Map.of("target", target.address(), "targetIQN", IscsiTarget.IQN,
                    "chapuser", "flotilla", "chappassword", password));
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
            // suspended on the member into the SR: its memory's VDI made by the coordinator, which writes the LUN's table
            h0.call("VM.set_suspend_SR", vm, sr);
            h1.call("VM.suspend", vm);
            String image = (String) h0.call("VM.get_suspend_VDI", vm);
            assertEquals(sr, h0.call("VDI.get_SR", image));
            h1.call("VM.resume", vm, false, false);
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> h0.call("VDI.get_record", image)).code(), "resumed, its image went");
            aHaltedGuestsDiskIsCopiedIntoTheSr(h0, h1, sr);
            SharedSrPoolTest.runsOnTheMemberTillTheSrIsDestroyed(h0, h1, vm, sr, pbds);
            assertEquals("<?xml version=\"1.0\" ?>\n<SRlist/>\n", h0.call("SR.probe", h0.hostRef(), config, "lvmoiscsi", Map.of()),
                    "SR.destroy left the LUN free");
        }
    }

    /**
     * A halted guest's disk on the coordinator's local SR goes into the iSCSI SR by VM.migrate_send to the member: the
     * member serves the new extent over NBD with its storage daemon, logged in with the SR's credentials, and the
     * coordinator's qemu-img writes into it. Started on the member, the guest counts on from what it wrote before.
     */
    private static void aHaltedGuestsDiskIsCopiedIntoTheSr(TestHost h0, TestHost h1, String sr) throws Exception {
        String template = (String) ((List<?>) h0.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
        String vm = CrossPoolMotionTest.counterOnItsDisk(h0, template, "halted, into iscsi", TestHostRecords.localSr(h0, h0));
        String disk = (String) h0.call("VBD.get_VDI", ((List<?>) h0.call("VM.get_VBDs", vm)).getFirst());
        h0.call("VM.start_on", vm, h0.hostRef(), false, false);
        Path serial0 = h0.stateDir().resolve("run").resolve((String) h0.call("VM.get_uuid", vm)).resolve("serial.log");
        PoolStorageMotionTest.awaitCounts(serial0, 5);
        long counted = CountingGuests.lastCount(Files.readString(serial0));
        h0.call("VM.hard_shutdown", vm);

        @SuppressWarnings("unchecked")
        var dest = (Map<String, String>) h1.call("host.migrate_receive", h1.hostRef(), TestHostRecords.managementNetwork(h1, h1), Map.of());
        h0.call("VM.migrate_send", vm, dest, false, Map.of(disk, sr), Map.of(), Map.of());
        String moved = (String) h0.call("VBD.get_VDI", ((List<?>) h0.call("VM.get_VBDs", vm)).getFirst());
        assertEquals(sr, h0.call("VDI.get_SR", moved));
        assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> h0.call("VDI.get_record", disk)).code(), "the local disk went");

        h1.call("VM.start_on", vm, h1.hostRef(), false, false);
        Path serial1 = h1.stateDir().resolve("run").resolve((String) h1.call("VM.get_uuid", vm)).resolve("serial.log");
        PoolStorageMotionTest.awaitCounts(serial1, 1);
        long resumed = CountingGuests.firstCount(Files.readString(serial1));
        assertTrue(resumed > counted, "it counts on from what it wrote before the copy: " + resumed + " after " + counted);
        h1.call("VM.hard_shutdown", vm);
        h1.call("VM.destroy", vm);
        h1.call("VDI.destroy", moved);
    }
}

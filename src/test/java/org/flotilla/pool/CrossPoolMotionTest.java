package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.flotilla.Slow;
import org.flotilla.cli.HostConnector;
import org.flotilla.cli.Xe;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.SR;
import org.flotilla.runtime.TrustingTls;
import org.flotilla.runtime.migration.OtherPoolDestination;
import org.flotilla.server.HostCertificate;
import org.junit.jupiter.api.Test;

/**
 * Storage XenMotion into another pool: two daemons in their own namespaces, each a pool of its own (never joined). A
 * guest counting on a disk in pool A's local SR, with a NIC, moves by {@code xe vm-migrate remote-master=…} to pool B's
 * host, its disk into B's SR and its NIC onto B's network: it counts on without a gap, B's database has it running
 * there and A's has neither it nor its old disk. Before that, the ways it must not go leave it running on A and nothing
 * in B: a VIF not mapped, a session B does not know, an SR of B not plugged, a host that is not the one of B's
 * certificate; and an arrival B's side gives up leaves nothing there. The guest has a snapshot and a checkpoint, which
 * go along as XAPI takes them: their records, their disks (the snapshot's holding the count it had) and the
 * checkpoint's memory in B's SR. Then, halted and given a vTPM, it goes back to pool A with them and its vTPM's state,
 * and is copied (copy=true) into pool B as a VM of its own, all of it, the VM staying in A.
 */
@Slow
class CrossPoolMotionTest {
    /** A bridge of each host's own, for the guest's NIC (as PoolHostsTest gives its guests). */
    private static final String GUEST_BRIDGE = "guests";

    @Test
    void aRunningGuestMovesWithItsDiskAndNicIntoAnotherPoolAndHaltedBack() throws Exception {
        try (TestHosts hosts = TestHosts.start(2)) {
            TestHost a = hosts.host(0);
            TestHost b = hosts.host(1);
            String netA = guestNetwork(a);
            String netB = guestNetwork(b);
            String srA = TestHostRecords.localSr(a, a);
            String srB = TestHostRecords.localSr(b, b);
            Object disksOfB = b.call("SR.get_VDIs", srB);

            String template = (String) ((List<?>) a.call("VM.get_by_name_label", "Flotilla test guest")).getFirst();
            String vm = counterOnItsDisk(a, template, "goes to another pool", srA);
            String vdi = diskOf(a, vm);
            var nic = new LinkedHashMap<String, Object>(Map.of("VM", vm, "network", netA, "device", "0", "MAC", "", "MTU", "0",
                    "other_config", Map.of(), "qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
            String vif = (String) a.call("VIF.create", nic);
            String mac = (String) a.call("VIF.get_MAC", vif);
            a.call("VM.start", vm, false, false);
            String uuid = (String) a.call("VM.get_uuid", vm);
            Path serialA = a.stateDir().resolve("run").resolve(uuid).resolve("serial.log");
            Path serialB = b.stateDir().resolve("run").resolve(uuid).resolve("serial.log");
            PoolStorageMotionTest.awaitCounts(serialA, 5);
            String snapshot = (String) a.call("VM.snapshot", vm, "before the move");
            String snapshotVdi = diskOf(a, snapshot);
            String snapshotCount = counterOnDisk(a, snapshotVdi);
            Object snapshotTime = a.call("VM.get_snapshot_time", snapshot);
            String checkpoint = (String) a.call("VM.checkpoint", vm, "with its memory");
            String memory = (String) a.call("VM.get_suspend_VDI", checkpoint);

            // the client, logged in to pool B, asks B's host to receive: a session of B's own for the source, and B's certificate
            @SuppressWarnings("unchecked")
            var dest = (Map<String, String>) b.call("host.migrate_receive", b.hostRef(), TestHostRecords.managementNetwork(b, b), Map.of());
            assertEquals(b.hostRef(), dest.get("host"));
            assertEquals("https://" + b.address(), dest.get("master"));
            assertNotEquals(b.session(), dest.get("session_id"));
            assertEquals(64 + 31, dest.get(OtherPoolDestination.FINGERPRINT).length(), dest.toString());

            Map<String, String> vdiMap = Map.of(vdi, srB);
            ApiError unmapped = assertThrows(ApiError.class, () -> a.call("VM.migrate_send", vm, dest, true, vdiMap, Map.of(), Map.of()));
            assertEquals(List.of("VIF_NOT_IN_MAP", vif), unmapped.description());
            var forged = new LinkedHashMap<>(dest);
            forged.put("session_id", "OpaqueRef:" + UUID.randomUUID());
            ApiError stranger = assertThrows(ApiError.class, () -> a.call("VM.migrate_send", vm, forged, true, vdiMap, Map.of(vif, netB), Map.of()));
            assertEquals("SESSION_INVALID", stranger.code(), stranger.description().toString());
            String pbdB = (String) ((List<?>) b.call("SR.get_PBDs", srB)).getFirst();
            b.call("PBD.unplug", pbdB);
            ApiError unplugged = assertThrows(ApiError.class, () -> a.call("VM.assert_can_migrate", vm, dest, true, vdiMap, Map.of(vif, netB), Map.of()));
            assertEquals(List.of("VM_REQUIRES_SR", vm, srB), unplugged.description());
            b.call("PBD.plug", pbdB);
            var elsewhere = new LinkedHashMap<>(dest);
            elsewhere.put(OtherPoolDestination.FINGERPRINT, "00" + dest.get(OtherPoolDestination.FINGERPRINT).substring(2));
            ApiError impostor = assertThrows(ApiError.class, () -> a.call("VM.assert_can_migrate", vm, elsewhere, true, vdiMap, Map.of(vif, netB), Map.of()));
            assertEquals("CANNOT_CONTACT_HOST", impostor.code(), "the source knows the destination by its certificate alone");
            anArrivalGivenUpLeavesNothing(b, dest.get("session_id"), srB, disksOfB);
            a.call("VM.assert_can_migrate", vm, dest, true, vdiMap, Map.of(vif, netB), Map.of());
            assertEquals("Running", a.call("VM.get_power_state", vm));
            assertEquals(a.hostRef(), a.call("VM.get_resident_on", vm));
            ApiError notThere = assertThrows(ApiError.class, () -> b.call("VM.get_by_uuid", uuid));
            assertEquals("UUID_INVALID", notThere.code());
            assertEquals(disksOfB, b.call("SR.get_VDIs", srB), "nothing was made in B's SR");

            PoolWaits.await(java.time.Duration.ofSeconds(30), "a point in the VM's history on A",
                    () -> !PoolStorageMotionTest.knownRows(PoolStorageMotionTest.history(a, uuid)).isEmpty());
            List<String> pastOnA = PoolStorageMotionTest.knownRows(PoolStorageMotionTest.history(a, uuid));
            var lastOnA = new AtomicReference<>("");
            Thread watcher = Thread.ofVirtual().start(() -> CountingGuests.follow(serialA, lastOnA));
            var err = new ByteArrayOutputStream();
            long t0 = System.nanoTime();
            int code = new Xe(HostConnector.XML_RPC, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err))
                    .run(List.of("-s", a.address(), "-u", "root", "-pw", a.password(), "vm-migrate", "uuid=" + uuid,
                            "remote-master=" + b.address(), "remote-username=root", "remote-password=" + b.password(), "host=" + b.uuid(),
                            "vdi:" + a.call("VDI.get_uuid", vdi) + "=" + b.call("SR.get_uuid", srB),
                            "vif:" + a.call("VIF.get_uuid", vif) + "=" + b.call("network.get_uuid", netB)), Map.of(), null);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            watcher.interrupt();
            watcher.join();
            assertEquals(0, code, "xe vm-migrate: " + err + "\n" + a.log());
            System.out.printf("xe vm-migrate into another pool with a disk took %d ms%n", millis);

            assertEquals(vm, b.call("VM.get_by_uuid", uuid), "the VM keeps its reference and uuid in pool B");
            assertEquals("Running", b.call("VM.get_power_state", vm));
            assertEquals(b.hostRef(), b.call("VM.get_resident_on", vm));
            assertEquals(Map.of(), b.call("VM.get_current_operations", vm));
            String moved = (String) b.call("VBD.get_VDI", ((List<?>) b.call("VM.get_VBDs", vm)).getFirst());
            assertEquals(srB, b.call("VDI.get_SR", moved));
            String vifB = (String) ((List<?>) b.call("VM.get_VIFs", vm)).getFirst();
            assertEquals(netB, b.call("VIF.get_network", vifB));
            assertEquals(mac, b.call("VIF.get_MAC", vifB));
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VM.get_record", vm)).code(), "the VM is gone from pool A");
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VDI.get_record", vdi)).code(), "so is its old disk");
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VIF.get_record", vif)).code());

            PoolStorageMotionTest.assertCountsOn(serialB, lastOnA.get());
            PoolWaits.await(java.time.Duration.ofSeconds(30), "the VM's history in pool B",
                    () -> PoolStorageMotionTest.knownRows(PoolStorageMotionTest.history(b, uuid)).containsAll(pastOnA));
            assertSnapshotsCameAlong(b, vm, snapshot, checkpoint, moved, srB, snapshotCount, snapshotTime);
            for (String gone : List.of(snapshot, checkpoint)) {
                assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VM.get_record", gone)).code(), "its snapshots are gone from A");
            }
            for (String gone : List.of(snapshotVdi, memory)) {
                assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VDI.get_record", gone)).code(), "so are their disks");
            }

            // halted, it goes back to pool A by the API: its disk copied into A's SR, its NIC onto A's network
            @SuppressWarnings("unchecked")
            var toA = (Map<String, String>) a.call("host.migrate_receive", a.hostRef(), TestHostRecords.managementNetwork(a, a), Map.of());
            ApiError running = assertThrows(ApiError.class, () -> b.call("VM.migrate_send", vm, toA, true, Map.of(moved, srA), Map.of(vifB, netA), Map.of("copy", "true")));
            assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "running"), running.description(), "XAPI copies only a halted VM to another pool");
            b.call("VM.hard_shutdown", vm);
            String vtpm = (String) b.call("VTPM.create", vm, false);
            String tpmState = java.util.Base64.getEncoder().encodeToString("a TPM's saved state".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            b.call("VTPM.set_contents", vtpm, tpmState);
            @SuppressWarnings("unchecked")
            var back = (Map<String, String>) a.call("host.migrate_receive", a.hostRef(), TestHostRecords.managementNetwork(a, a), Map.of());
            assertEquals(vm, b.call("VM.migrate_send", vm, back, false, Map.of(moved, srA), Map.of(vifB, netA), Map.of()));
            assertEquals("Halted", a.call("VM.get_power_state", vm));
            String home = (String) a.call("VBD.get_VDI", ((List<?>) a.call("VM.get_VBDs", vm)).getFirst());
            assertEquals(srA, a.call("VDI.get_SR", home));
            assertEquals(netA, a.call("VIF.get_network", ((List<?>) a.call("VM.get_VIFs", vm)).getFirst()));
            assertEquals(Map.of(), a.call("VM.get_current_operations", vm));
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> b.call("VM.get_record", vm)).code(), "the VM is gone from pool B");
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> b.call("VDI.get_record", moved)).code());
            assertSnapshotsCameAlong(a, vm, snapshot, checkpoint, home, srA, snapshotCount, snapshotTime);
            assertEquals(List.of(vtpm), a.call("VM.get_VTPMs", vm), "its vTPM came with it");
            assertEquals(tpmState, a.call("VTPM.get_contents", vtpm), "with its state");
            assertTrue(((List<?>) b.call("VTPM.get_all")).isEmpty(), "B keeps neither the vTPM nor its state");
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> b.call("VM.get_record", snapshot)).code());

            // copied to pool B (copy=true): a VM of its own there, with its disk, snapshots and vTPM; the VM here stays
            @SuppressWarnings("unchecked")
            var toB = (Map<String, String>) b.call("host.migrate_receive", b.hostRef(), TestHostRecords.managementNetwork(b, b), Map.of());
            String vifA = (String) ((List<?>) a.call("VM.get_VIFs", vm)).getFirst();
            String copy = (String) a.call("VM.migrate_send", vm, toB, false, Map.of(home, srB), Map.of(vifA, netB), Map.of("copy", "true"));
            assertNotEquals(vm, copy);
            assertNotEquals(uuid, b.call("VM.get_uuid", copy));
            assertEquals("Halted", b.call("VM.get_power_state", copy));
            String copiedDisk = diskOf(b, copy);
            assertEquals(srB, b.call("VDI.get_SR", copiedDisk));
            assertEquals(counterOnDisk(a, home), counterOnDisk(b, copiedDisk), "the copy's disk holds what the VM's does");
            assertEquals(2, ((List<?>) b.call("VM.get_snapshots", copy)).size(), "its snapshots were copied too");
            String copiedVtpm = (String) ((List<?>) b.call("VM.get_VTPMs", copy)).getFirst();
            assertNotEquals(vtpm, copiedVtpm);
            assertEquals(tpmState, b.call("VTPM.get_contents", copiedVtpm));
            assertEquals("Halted", a.call("VM.get_power_state", vm), "the VM stays in pool A");
            assertEquals(home, diskOf(a, vm));
            assertSnapshotsCameAlong(a, vm, snapshot, checkpoint, home, srA, snapshotCount, snapshotTime);
            a.call("VM.destroy", vm);
            a.call("VDI.destroy", home);

            aRunningGuestTakesItsVtpmAlong(a, b, template);
            aSuspendedGuestMovesAndResumesThere(a, b, template, srA, srB);
        }
    }

    /** A VM of {@code template} on {@code h}, halted, that counts on a disk of its own in {@code sr}. */
    static String counterOnItsDisk(TestHost h, String template, String name, String sr) {
        String vm = (String) h.call("VM.clone", template, name);
        h.call("VM.set_is_a_template", vm, false);
        h.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 flotilla.mode=counter flotilla.counter_ms=50");
        String vdi = (String) h.call("VDI.create", SharedDatabaseTest.vdiArgs(SR.CLASS.ref(sr), "counter disk"));
        h.call("VBD.create", new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", vdi, "userdevice", "0", "bootable", true,
                "mode", "RW", "type", "Disk")));
        return vm;
    }

    /**
     * A suspended guest moves into pool B as XAPI moves one: its disk and its memory's VDI copied into B's SR, it arrives
     * suspended on them, and resumes there counting on from where it was.
     */
    private static void aSuspendedGuestMovesAndResumesThere(TestHost a, TestHost b, String template, String srA, String srB) throws Exception {
        String vm = counterOnItsDisk(a, template, "suspended", srA);
        String vdi = diskOf(a, vm);
        a.call("VM.start", vm, false, false);
        String uuid = (String) a.call("VM.get_uuid", vm);
        Path serialA = a.stateDir().resolve("run").resolve(uuid).resolve("serial.log");
        PoolStorageMotionTest.awaitCounts(serialA, 3);
        var lastOnA = new AtomicReference<>("");
        Thread watcher = Thread.ofVirtual().start(() -> CountingGuests.follow(serialA, lastOnA));
        a.call("VM.suspend", vm);
        watcher.interrupt();
        watcher.join();
        String memory = (String) a.call("VM.get_suspend_VDI", vm);
        @SuppressWarnings("unchecked")
        var toB = (Map<String, String>) b.call("host.migrate_receive", b.hostRef(), TestHostRecords.managementNetwork(b, b), Map.of());
        assertEquals(vm, a.call("VM.migrate_send", vm, toB, false, Map.of(vdi, srB), Map.of(), Map.of()));

        assertEquals("Suspended", b.call("VM.get_power_state", vm));
        assertEquals(Map.of(), b.call("VM.get_current_operations", vm));
        String memoryThere = (String) b.call("VM.get_suspend_VDI", vm);
        assertEquals(srB, b.call("VDI.get_SR", memoryThere), "its memory went where its disk went");
        assertEquals(srB, b.call("VDI.get_SR", diskOf(b, vm)));
        assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VM.get_record", vm)).code(), "the VM is gone from pool A");
        for (String gone : List.of(vdi, memory)) {
            assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> a.call("VDI.get_record", gone)).code(), "its VDIs are gone from A");
        }
        b.call("VM.resume", vm, false, false);
        PoolStorageMotionTest.assertCountsOn(b.stateDir().resolve("run").resolve(uuid).resolve("serial.log"), lastOnA.get());
        b.call("VM.hard_shutdown", vm);
        b.call("VM.destroy", vm);
    }

    /**
     * A running guest with a vTPM (and no disk: with a vTPM this guest's virtio disk is not reachable, to be looked
     * into) moves into pool B with it, the same TPM there: B saves its state in the vTPM's secret when the guest stops.
     */
    private static void aRunningGuestTakesItsVtpmAlong(TestHost a, TestHost b, String template) throws Exception {
        String vm = (String) a.call("VM.clone", template, "with a vTPM");
        a.call("VM.set_is_a_template", vm, false);
        a.call("VM.set_PV_args", vm, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
        String vtpm = (String) a.call("VTPM.create", vm, false);
        a.call("VM.start", vm, false, false);
        a.call("VM.hard_shutdown", vm);
        String made = (String) a.call("VTPM.get_contents", vtpm);
        assertFalse(made.isEmpty(), "swtpm made the TPM's state on A");
        a.call("VM.start", vm, false, false);
        @SuppressWarnings("unchecked")
        var toB = (Map<String, String>) b.call("host.migrate_receive", b.hostRef(), TestHostRecords.managementNetwork(b, b), Map.of());
        assertEquals(vm, a.call("VM.migrate_send", vm, toB, true, Map.of(), Map.of(), Map.of()));
        assertEquals("Running", b.call("VM.get_power_state", vm));
        assertEquals(List.of(vtpm), b.call("VM.get_VTPMs", vm));
        assertTrue(((List<?>) a.call("VTPM.get_all")).isEmpty(), "A keeps no vTPM");
        b.call("VM.hard_shutdown", vm);
        byte[] was = java.util.Base64.getDecoder().decode(made);
        byte[] is = java.util.Base64.getDecoder().decode((String) b.call("VTPM.get_contents", vtpm));
        // the same TPM, its seeds and keys kept: only a few counters and clocks move while it runs (a new TPM's
        // 64-byte seeds would differ all over)
        int differ = 0;
        for (int i = 0; i < Math.min(was.length, is.length); i++) if (was[i] != is[i]) differ++;
        assertEquals(was.length, is.length, "the TPM's state came with the guest and was saved in B");
        assertTrue(differ < 16, "the same TPM in B: " + differ + " of " + was.length + " bytes differ");
        b.call("VM.destroy", vm);
    }

    /**
     * On {@code h}, the VM's snapshot and checkpoint as they were taken: of the VM, in their order, the snapshot's disk
     * in {@code sr} a snapshot of the VM's disk {@code live} holding {@code count}, the checkpoint suspended on its memory there.
     */
    private static void assertSnapshotsCameAlong(TestHost h, String vm, String snapshot, String checkpoint, String live, String sr,
                                                 String count, Object time) throws Exception {
        assertEquals(java.util.Set.of(snapshot, checkpoint), java.util.Set.copyOf((List<?>) h.call("VM.get_snapshots", vm)));
        assertEquals(vm, h.call("VM.get_snapshot_of", snapshot));
        assertEquals(time, h.call("VM.get_snapshot_time", snapshot));
        assertEquals(checkpoint, h.call("VM.get_parent", vm));
        assertEquals(snapshot, h.call("VM.get_parent", checkpoint));
        String disk = diskOf(h, snapshot);
        assertEquals(sr, h.call("VDI.get_SR", disk));
        assertEquals(true, h.call("VDI.get_is_a_snapshot", disk));
        assertEquals(live, h.call("VDI.get_snapshot_of", disk));
        assertEquals(count, counterOnDisk(h, disk), "the snapshot's disk holds the count it was taken with");
        assertEquals("Suspended", h.call("VM.get_power_state", checkpoint));
        assertEquals(sr, h.call("VDI.get_SR", h.call("VM.get_suspend_VDI", checkpoint)));
    }

    private static String diskOf(TestHost h, String vm) {
        return (String) h.call("VBD.get_VDI", ((List<?>) h.call("VM.get_VBDs", vm)).getFirst());
    }

    /** The count the counting guest keeps at 4 KiB into its disk, read from the VDI's image in {@code h}'s local SR. */
    private static String counterOnDisk(TestHost h, String vdi) throws Exception {
        Path image = h.stateDir().resolve("sr").resolve("local").resolve(h.call("VDI.get_location", vdi) + ".qcow2");
        Path raw = Files.createTempFile("flotilla-counter-", ".raw");
        try {
            Process p = new ProcessBuilder("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString())
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), said);
            byte[] bytes = Files.readAllBytes(raw);
            String sector = new String(bytes, 4096, 512, java.nio.charset.StandardCharsets.US_ASCII);
            String count = sector.substring(0, sector.indexOf('\n'));
            assertTrue(count.matches("FLOTILLA-COUNTER \\d+"), "a count on the disk: " + count);
            return count;
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    /** A certificate, as a source's qemu-img would show (its key unused here). */
    private static String sourceCertificate() throws IOException {
        Path file = Files.createTempFile("flotilla-source-", ".pem");
        try {
            Files.delete(file);
            String pem = Files.readString(HostCertificate.create(file, "source", List.of()).file());
            return pem.substring(pem.indexOf("-----BEGIN CERTIFICATE-----"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * B's side of a migration, called as a source in another pool calls it: without B's session it is refused; a halted
     * VM's arrival shows it halted, on no host, busy with migrate_send, its disk made, its snapshot and vTPM there;
     * its abort removes them all.
     */
    private static void anArrivalGivenUpLeavesNothing(TestHost b, String session, String srB, Object disksOfB) throws Exception {
        var json = new ObjectMapper();
        String uuid = UUID.randomUUID().toString();
        String vm = "OpaqueRef:" + UUID.randomUUID();
        String vdi = "OpaqueRef:" + UUID.randomUUID();
        var records = json.createObjectNode();
        records.putArray("VM").addObject().put("ref", vm).putObject("fields").put("uuid", uuid).put("name_label", "never arrives")
                .put("power_state", "Halted");
        records.putArray("VBD").addObject().put("ref", "OpaqueRef:" + UUID.randomUUID()).putObject("fields").put("VM", vm).put("VDI", vdi)
                .put("userdevice", "0").put("mode", "RW").put("type", "Disk").put("bootable", true);
        records.putArray("VDI").addObject().put("ref", vdi).putObject("fields").put("name_label", "its disk").put("virtual_size", 16L << 20)
                .put("type", "user");
        // with a snapshot, its disk, and a vTPM whose state is in a secret
        String snapshot = "OpaqueRef:" + UUID.randomUUID();
        String snapshotVdi = "OpaqueRef:" + UUID.randomUUID();
        String secret = "OpaqueRef:" + UUID.randomUUID();
        ((ArrayNode) records.get("VM")).addObject().put("ref", snapshot).putObject("fields")
                .put("uuid", UUID.randomUUID().toString()).put("name_label", "its snapshot").put("power_state", "Halted")
                .put("is_a_snapshot", true).put("snapshot_of", vm);
        ((ArrayNode) records.get("VBD")).addObject().put("ref", "OpaqueRef:" + UUID.randomUUID())
                .putObject("fields").put("VM", snapshot).put("VDI", snapshotVdi).put("userdevice", "0").put("mode", "RW").put("type", "Disk");
        ((ArrayNode) records.get("VDI")).addObject().put("ref", snapshotVdi).putObject("fields")
                .put("name_label", "its snapshot's disk").put("virtual_size", 16L << 20).put("type", "user").put("is_a_snapshot", true)
                .put("snapshot_of", vdi);
        records.putArray("secret").addObject().put("ref", secret).putObject("fields").put("uuid", UUID.randomUUID().toString()).put("value", "c3RhdGU=");
        records.putArray("VTPM").addObject().put("ref", "OpaqueRef:" + UUID.randomUUID()).putObject("fields")
                .put("uuid", UUID.randomUUID().toString()).put("VM", vm).put("contents", secret);
        var body = json.createObjectNode().put("session_id", session).put("vm", vm).put("records", records.toString());
        body.putObject("disks").put(vdi, srB).put(snapshotVdi, srB);

        var stranger = body.deepCopy().put("session_id", "OpaqueRef:" + UUID.randomUUID());
        HttpResponse<String> refused = xenops(b, "prepare", stranger.toString());
        assertEquals(409, refused.statusCode());
        assertEquals("SESSION_INVALID", json.readTree(refused.body()).path("code").asText(), refused.body());
        HttpResponse<String> noCertificate = xenops(b, "prepare", body.toString());
        assertEquals(409, noCertificate.statusCode());
        assertEquals("INVALID_VALUE", json.readTree(noCertificate.body()).path("code").asText(), "the source's certificate is wanted: " + noCertificate.body());
        body.put("certificate", sourceCertificate());

        HttpResponse<String> prepared = xenops(b, "prepare", body.toString());
        assertEquals(200, prepared.statusCode(), prepared.body());
        assertEquals(vm, b.call("VM.get_by_uuid", uuid));
        assertEquals("Halted", b.call("VM.get_power_state", vm), "an arriving VM shows halted, as XAPI's import leaves it");
        assertEquals("OpaqueRef:NULL", b.call("VM.get_resident_on", vm));
        assertEquals(List.of("migrate_send"), List.copyOf(((Map<?, ?>) b.call("VM.get_current_operations", vm)).values()));
        ApiError busy = assertThrows(ApiError.class, () -> b.call("VM.start", vm, false, false));
        assertEquals("OTHER_OPERATION_IN_PROGRESS", busy.code(), busy.description().toString());
        assertNotEquals(disksOfB, b.call("SR.get_VDIs", srB), "its disk was made");
        assertEquals(List.of(snapshot), b.call("VM.get_snapshots", vm));
        String madeSnapshotVdi = (String) b.call("VBD.get_VDI", ((List<?>) b.call("VM.get_VBDs", snapshot)).getFirst());
        assertEquals(true, b.call("VDI.get_is_a_snapshot", madeSnapshotVdi));
        assertEquals(b.call("VBD.get_VDI", ((List<?>) b.call("VM.get_VBDs", vm)).getFirst()), b.call("VDI.get_snapshot_of", madeSnapshotVdi),
                "a snapshot of the disk made for the VM's");
        String vtpm = (String) ((List<?>) b.call("VM.get_VTPMs", vm)).getFirst();
        assertEquals("c3RhdGU=", b.call("VTPM.get_contents", vtpm));

        var abort = json.createObjectNode().put("session_id", session).put("vm", vm).put("token", json.readTree(prepared.body()).path("token").asText());
        HttpResponse<String> aborted = xenops(b, "abort", abort.toString());
        assertEquals(200, aborted.statusCode(), aborted.body());
        assertFalse(json.readTree(aborted.body()).path("arrived").asBoolean(true));
        assertEquals("UUID_INVALID", assertThrows(ApiError.class, () -> b.call("VM.get_by_uuid", uuid)).code());
        assertEquals(disksOfB, b.call("SR.get_VDIs", srB), "its disks are gone");
        assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> b.call("VM.get_record", snapshot)).code(), "so is its snapshot");
        assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> b.call("VTPM.get_record", vtpm)).code(), "and its vTPM");
    }

    private static HttpResponse<String> xenops(TestHost h, String call, String body) throws Exception {
        return TrustingTls.httpClient().send(HttpRequest.newBuilder(URI.create("https://" + h.address() + "/services/xenops/migration/" + call))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A bridge in the host's namespace and a network of its pool on it. */
    private static String guestNetwork(TestHost h) {
        for (String[] cmd : List.of(new String[] {"ip", "link", "add", "name", GUEST_BRIDGE, "type", "bridge"},
                new String[] {"ip", "link", "set", "dev", GUEST_BRIDGE, "up"})) {
            assertEquals(0, h.exec(cmd).exit(), String.join(" ", cmd) + " on " + h);
        }
        return (String) h.call("network.create", Map.of("name_label", "guests", "name_description", "", "MTU", "1500",
                "other_config", Map.of(), "bridge", GUEST_BRIDGE));
    }
}

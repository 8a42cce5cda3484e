package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An lvmoiscsi SR on a real iSCSI target (tgtd in a namespace of the test's, {@link IscsiTarget}), driven through the
 * XenAPI of a node in this JVM that reaches it only in userspace: libiscsi for the daemon, qemu-img's and QEMU's iscsi
 * drivers for the data. What the LUN holds is checked in its backing file.
 */
@Slow
class IscsiSrTest extends OnALocalSr {
    static final long LUN_SIZE = 64 * MIB;
    private static final Pattern SCSI_ID = Pattern.compile("<SCSIid>([^<]+)</SCSIid>");

    IscsiTarget target;

    @BeforeEach
    void serve() throws Exception { target = IscsiTarget.onItsOwnNetwork(List.of(LUN_SIZE), null, null); }

    /** Before the node closes (OnALocalSr): its QEMUs, then the target. */
    @AfterEach
    void stopTarget() {
        closeNodeAndItsGuests(target::close);
    }

    Map<String, String> targetOnly() { return Map.of("target", target.address()); }

    Map<String, String> withIqn() { return Map.of("target", target.address(), "targetIQN", IscsiTarget.IQN); }

    String scsiId() {
        ApiError luns = fails("SR.probe", session, node.hostRef(), withIqn(), "lvmoiscsi", Map.of());
        Matcher m = SCSI_ID.matcher(luns.params().get(2));
        assertTrue(m.find(), luns.params().get(2));
        return m.group(1);
    }

    Map<String, String> config() {
        var c = new HashMap<>(withIqn());
        c.put("SCSIid", scsiId());
        return c;
    }

    String createSr(Map<String, String> config) {
        return (String) call("SR.create", session, node.hostRef(), config, 0L, "on iscsi", "", "lvmoiscsi", "user", true, Map.of());
    }

    @Test
    void probeAnswersAsSmsIscsiSrInXenOrchestrasThreeSteps() {
        assertEquals(List.of("SR_BACKEND_FAILURE_95", "", "The request is missing the target parameter", ""),
                fails("SR.probe", session, node.hostRef(), Map.of(), "lvmoiscsi", Map.of()).description());
        assertEquals("SR_BACKEND_FAILURE_142", fails("SR.probe", session, node.hostRef(),
                Map.of("target", target.address(), "port", "70000"), "lvmoiscsi", Map.of()).code());
        // nothing listens for iSCSI at the test's own address: XO takes 141 for "no target"
        assertEquals("SR_BACKEND_FAILURE_141", fails("SR.probe", session, node.hostRef(),
                Map.of("target", target.network().testAddress()), "lvmoiscsi", Map.of()).code());

        ApiError iqns = fails("SR.probe", session, node.hostRef(), targetOnly(), "lvmoiscsi", Map.of());
        assertEquals("SR_BACKEND_FAILURE_96", iqns.code());
        assertEquals("The request is missing or has an incorrect target IQN parameter", iqns.params().get(1));
        assertEquals("<?xml version=\"1.0\" ?>\n<iscsi-target-iqns>\n\t<TGT>\n\t\t<Index>0</Index>\n\t\t<IPAddress>" + target.address()
                + "</IPAddress>\n\t\t<TargetIQN>" + IscsiTarget.IQN + "</TargetIQN>\n\t</TGT>\n</iscsi-target-iqns>\n", iqns.params().get(2));

        ApiError luns = fails("SR.probe", session, node.hostRef(), withIqn(), "lvmoiscsi", Map.of());
        assertEquals("SR_BACKEND_FAILURE_107", luns.code());
        String scsiId = scsiId();
        assertTrue(scsiId.matches("[0-9a-zA-Z_]+"), scsiId);
        assertEquals("<?xml version=\"1.0\" ?>\n<iscsi-target>\n\t<LUN>\n\t\t<vendor>IET</vendor>\n\t\t<serial>beaf11</serial>\n"
                + "\t\t<LUNid>1</LUNid>\n\t\t<size>" + LUN_SIZE + "</size>\n\t\t<SCSIid>" + scsiId + "</SCSIid>\n\t</LUN>\n</iscsi-target>\n",
                luns.params().get(2), "the controller LUN 0 is left out; the disk is described");
        var wrongId = new HashMap<>(withIqn());
        wrongId.put("SCSIid", "3nosuch");
        assertEquals("SR_BACKEND_FAILURE_107", fails("SR.probe", session, node.hostRef(), wrongId, "lvmoiscsi", Map.of()).code());
        var wrongIqn = Map.of("target", target.address(), "targetIQN", "iqn.2026-12.org.flotilla.test:nosuch");
        assertEquals("SR_BACKEND_FAILURE_68", fails("SR.probe", session, node.hostRef(), wrongIqn, "lvmoiscsi", Map.of()).code());

        assertEquals("<?xml version=\"1.0\" ?>\n<SRlist/>\n", call("SR.probe", session, node.hostRef(), config(), "lvmoiscsi", Map.of()));
        String sr = createSr(config());
        String uuid = (String) call("SR.get_uuid", session, sr);
        String found = (String) call("SR.probe", session, node.hostRef(), config(), "lvmoiscsi", Map.of());
        assertTrue(found.startsWith("<?xml version=\"1.0\" ?>\n<SRlist>\n\t<SR>\n\t\t<UUID>" + uuid + "</UUID>\n\t\t<Devlist>"), found);
        assertTrue(found.endsWith("</Devlist>\n\t\t<size>" + (LUN_SIZE - MIB) + "</size>\n\t</SR>\n</SRlist>\n"), found);
        // a LUN that holds an SR takes no second one
        assertEquals("SR_BACKEND_FAILURE_42", fails("SR.create", session, node.hostRef(), config(), 0L, "again", "", "lvmoiscsi", "user", true,
                Map.of()).code());
    }

    @Test
    void aTargetThatWantsChapLetsInOnlyWithItsCredentials() throws Exception {
        try (IscsiTarget chap = IscsiTarget.onItsOwnNetwork(List.of(16 * MIB), "flotilla", "chap-secret-123")) {
            var config = new HashMap<>(Map.of("target", chap.address(), "targetIQN", IscsiTarget.IQN));
            assertEquals("SR_BACKEND_FAILURE_68", fails("SR.probe", session, node.hostRef(), config, "lvmoiscsi", Map.of()).code());
            config.putAll(Map.of("chapuser", "flotilla", "chappassword", "wrong-secret-1"));
            assertEquals("SR_BACKEND_FAILURE_68", fails("SR.probe", session, node.hostRef(), config, "lvmoiscsi", Map.of()).code());
            config.put("chappassword", "chap-secret-123");
            ApiError luns = fails("SR.probe", session, node.hostRef(), config, "lvmoiscsi", Map.of());
            assertEquals("SR_BACKEND_FAILURE_107", luns.code());
            assertTrue(luns.params().get(2).contains("<size>" + 16 * MIB + "</size>"), luns.params().get(2));
        }
    }

    @Test
    void vdisAreThickExtentsOfTheLunThatDestroyFrees() {
        String sr = createSr(config());
        assertEquals(true, call("SR.get_shared", session, sr));
        assertEquals(LUN_SIZE - MIB, call("SR.get_physical_size", session, sr));
        assertEquals(0L, call("SR.get_physical_utilisation", session, sr));
        String sm = ((List<?>) call("SM.get_by_name_label", session, "Raw extents over iSCSI")).getFirst().toString();
        List<?> caps = (List<?>) call("SM.get_capabilities", session, sm);
        assertFalse(caps.contains("VDI_SNAPSHOT") || caps.contains("VDI_CLONE") || caps.contains("VDI_RESIZE"), caps.toString());

        // a disk with data from local storage, copied onto the SR and back: its bytes went through the LUN
        String local = createVdi(defaultSr(), 4 * MIB, "source");
        var written = TestCommand.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", image(local).toString()));
        assertEquals(0, written.exit(), written.output());
        String onLun = (String) call("VDI.copy", session, local, sr);
        assertEquals(4 * MIB, call("VDI.get_virtual_size", session, onLun));
        assertEquals(4 * MIB, call("SR.get_physical_utilisation", session, sr));
        assertEquals(4 * MIB, call("SR.get_virtual_allocation", session, sr));
        String back = (String) call("VDI.copy", session, onLun, defaultSr());
        assertReads(image(back), 0xab);

        // a disk of 3 MiB and a bit takes a whole 4 MiB extent
        String odd = createVdi(sr, 3 * MIB + 1, "odd");
        assertEquals(4 * MIB, call("VDI.get_virtual_size", session, odd));
        assertEquals(8 * MIB, call("SR.get_physical_utilisation", session, sr));

        for (String op : List.of("VDI.snapshot", "VDI.clone")) {
            assertEquals(List.of("SR_OPERATION_NOT_SUPPORTED", sr), fails(op, session, onLun, Map.of()).description(), op);
        }
        assertEquals(List.of("SR_OPERATION_NOT_SUPPORTED", sr), fails("VDI.resize", session, onLun, 8 * MIB).description());

        // destroyed, its extent is free; the next disk there reads as zeros, not as the old disk's bytes
        call("VDI.destroy", session, onLun);
        assertEquals(4 * MIB, call("SR.get_physical_utilisation", session, sr));
        String reused = createVdi(sr, 4 * MIB, "reused");
        assertEquals(8 * MIB, call("SR.get_physical_utilisation", session, sr));
        String reusedBack = (String) call("VDI.copy", session, reused, defaultSr());
        assertReads(image(reusedBack), 0);

        // a disk larger than what is free: SR_FULL
        ApiError full = fails("VDI.create", session, Map.of("name_label", "big", "SR", sr, "virtual_size", Long.toString(LUN_SIZE),
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
        assertEquals("SR_FULL", full.code());
        String most = createVdi(sr, LUN_SIZE - MIB - 8 * MIB, "the rest");
        assertEquals(LUN_SIZE - MIB, call("SR.get_physical_utilisation", session, sr));
        assertEquals("SR_FULL", fails("VDI.create", session, Map.of("name_label", "one more", "SR", sr, "virtual_size", "1",
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of())).code());

        for (String v : List.of(odd, reused, most)) call("VDI.destroy", session, v);
        assertEquals(0L, call("SR.get_physical_utilisation", session, sr));
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        call("PBD.unplug", session, pbd);
        call("SR.destroy", session, sr);
        assertEquals("<?xml version=\"1.0\" ?>\n<SRlist/>\n", call("SR.probe", session, node.hostRef(), config(), "lvmoiscsi", Map.of()),
                "SR.destroy leaves the LUN free");
    }

    /** As Xen Orchestra reattaches an SR: probe for it on the LUN, introduce it, give the host a PBD, plug it; its disks come back. */
    @Test
    void aForgottenSrIsFoundOnItsLunAndIntroducedWithItsDisks() throws Exception {
        String sr = createSr(config());
        String uuid = (String) call("SR.get_uuid", session, sr);
        String vdi = createVdi(sr, 2 * MIB, "kept");
        String location = (String) call("VDI.get_location", session, vdi);
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        call("PBD.unplug", session, pbd);
        call("SR.forget", session, sr);
        byte[] metadata;
        try (var in = Files.newInputStream(target.lun(1))) {
            metadata = in.readNBytes((int) MIB);
        }
        assertTrue(new String(metadata, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\"name\":\"" + location + "\""),
                "forgetting leaves the table on the LUN");

        String newPbd = reattach(uuid, "lvmoiscsi", config(), location, 2 * MIB);

        // a PBD naming a LUN that is not the SR's does not plug
        call("PBD.unplug", session, newPbd);
        var other = new HashMap<>(config());
        other.put("SCSIid", "3nosuch");
        call("PBD.set_device_config", session, newPbd, other);
        assertEquals("SR_BACKEND_FAILURE_107", fails("PBD.plug", session, newPbd).code());
        assertEquals(false, call("PBD.get_currently_attached", session, newPbd));
    }

    @Test
    void aGuestCountsOnItsDiskOnTheIscsiSrAcrossARestart() throws Exception {
        rebootWithTheTestGuest();
        String sr = createSr(config());
        String vdi = createVdi(sr, 16 * MIB, "counter's disk");
        CountingGuest guest = startCountingGuest(vdi);
        Ref<VM> vm = guest.vm();
        Path serial = guest.serial();
        String cmdline = Files.readString(Path.of("/proc", Long.toString(node.vmRuntime().pids().get(vm)), "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("\"driver\":\"iscsi\""), "QEMU opens the disk with its iscsi driver: " + cmdline);

        long first = TestGuest.awaitCounts(serial, 10).getLast();
        call("VM.hard_shutdown", session, vm.value());
        call("VM.start", session, vm.value(), false, false);
        long resumed = TestGuest.awaitCounts(serial, 1).getFirst();
        assertTrue(resumed > first, "it counts on from what it wrote to its extent of the LUN: " + resumed + " after " + first);
        call("VM.hard_shutdown", session, vm.value());
    }

    /**
     * On a target that wants CHAP, QEMU's own sessions log in with the SR's credentials too: the VM's QEMU, and
     * qemu-img as it zeroes a new extent. The password is in no command line, and its file is gone once QEMU started.
     */
    @Test
    void aGuestCountsOnItsDiskOnATargetThatWantsChap() throws Exception {
        String password = "chap-secret-" + Long.toHexString(System.nanoTime());
        try (IscsiTarget chap = IscsiTarget.onItsOwnNetwork(List.of(LUN_SIZE), "flotilla", password)) {
            rebootWithTheTestGuest();
            var config = new HashMap<>(Map.of("target", chap.address(), "targetIQN", IscsiTarget.IQN, "chapuser", "flotilla", "chappassword", password));
            ApiError luns = fails("SR.probe", session, node.hostRef(), config, "lvmoiscsi", Map.of());
            Matcher m = SCSI_ID.matcher(luns.params().get(2));
            assertTrue(m.find(), luns.params().get(2));
            config.put("SCSIid", m.group(1));
            String sr = createSr(config);
            String vdi = createVdi(sr, 16 * MIB, "counter's disk behind CHAP");
            CountingGuest guest = startCountingGuest(vdi);
            long pid = node.vmRuntime().pids().get(guest.vm());
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("\"driver\":\"iscsi\"") && cmdline.contains("\"user\":\"flotilla\""), cmdline);
            assertFalse(cmdline.contains(password), "the password is in no command line");
            Path runDir = node.vmRuntime().domains().get(guest.vm()).runDir;
            TestGuest.awaitCounts(guest.serial(), 5);
            try (var files = Files.walk(runDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    if (f.getFileName().toString().endsWith(".log")) continue;
                    assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(password), "left in " + f);
                }
            }
            call("VM.hard_shutdown", session, guest.vm().value());

            // plugged into a running VM whose own disk is local: its QEMU is given the secret through its monitor
            CountingGuest local = startCountingGuest(createVdi(defaultSr(), 16 * MIB, "counter's local disk"));
            String data = createVdi(sr, 4 * MIB, "plugged behind CHAP");
            var vbd = new HashMap<String, Object>(Map.of("VM", local.vm().value(), "VDI", data, "userdevice", "1", "bootable", false,
                    "mode", "RW", "type", "Disk", "unpluggable", true, "empty", false, "other_config", Map.of()));
            vbd.putAll(Map.of("qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
            String plugged = (String) call("VBD.create", session, vbd);
            call("VBD.plug", session, plugged);
            assertEquals(true, call("VBD.get_currently_attached", session, plugged));
            call("VM.hard_shutdown", session, local.vm().value());
        }
    }

    /** The image's first MiB reads back as {@code pattern}. */
    private static void assertReads(Path image, int pattern) {
        var read = TestCommand.run(List.of("qemu-io", "-f", "qcow2", "-c", "read -P " + pattern + " 0 1M", image.toString()));
        assertEquals(0, read.exit(), read.output());
        assertFalse(read.output().contains("Pattern verification failed"), read.output());
    }
}

package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.api.Refs;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An NFS SR as XAPI's NFS SR is seen: probes, images in the SR's directory, snapshots and clones, reattaching, VMs on it. */
@Slow
class NfsSrTest extends OnAnNfsSr {

    @Test
    void probeAnswersAsXapisNfsSr() {
        assertEquals("SR_BACKEND_FAILURE_102", fails("SR.probe", session, node.hostRef(), Map.of(), "nfs", Map.of()).code());
        // nothing listens for NFS at the test's own address
        ApiError noServer = fails("SR.probe", session, node.hostRef(), Map.of("server", server.network().testAddress()), "nfs", Map.of());
        assertEquals(List.of("SR_BACKEND_FAILURE_108", "", "Unable to detect an NFS service on this target.", ""), noServer.description());
        int srs = ((List<?>) call("SR.get_all", session)).size();
        assertEquals("SR_BACKEND_FAILURE_108", fails("SR.create", session, node.hostRef(), Map.of("server", server.network().testAddress(),
                "serverpath", NfsServer.EXPORT), 0L, "nowhere", "", "nfs", "user", true, Map.of()).code());
        assertEquals(srs, ((List<?>) call("SR.get_all", session)).size(), "an SR that could not be made leaves no record");

        ApiError exports = fails("SR.probe", session, node.hostRef(), Map.of("server", server.address()), "nfs", Map.of());
        assertEquals("SR_BACKEND_FAILURE_101", exports.code());
        assertEquals("The request is missing the serverpath parameter", exports.params().get(1));
        assertEquals("<?xml version=\"1.0\" ?>\n<nfs-exports>\n\t<Export>\n\t\t<Target>" + server.address() + "</Target>\n\t\t<Path>/export</Path>\n"
                + "\t\t<Accesslist>(everyone)</Accesslist>\n\t</Export>\n</nfs-exports>\n", exports.params().get(2));

        assertEquals("<?xml version=\"1.0\" ?>\n<SRlist/>\n", call("SR.probe", session, node.hostRef(), config(), "nfs", Map.of()));
        String sr = createSr();
        String uuid = (String) call("SR.get_uuid", session, sr);
        assertEquals("<?xml version=\"1.0\" ?>\n<SRlist>\n\t<SR>\n\t\t<UUID>" + uuid + "</UUID>\n\t</SR>\n</SRlist>\n",
                call("SR.probe", session, node.hostRef(), config(), "NFS", Map.of()));

        var withVersions = new java.util.HashMap<>(config());
        withVersions.put("probeversion", "");
        assertEquals("<?xml version=\"1.0\" ?>\n<SRlist>\n\t<SR>\n\t\t<UUID>" + uuid + "</UUID>\n\t</SR>\n"
                + "\t<SupportedVersions>\n\t\t<Version>3</Version>\n\t</SupportedVersions>\n</SRlist>\n",
                call("SR.probe", session, node.hostRef(), withVersions, "nfs", Map.of()));

        // xe sr-probe prints the same, and a probe without serverpath fails naming the exports
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var xe = new org.flotilla.cli.Xe((h, p, tls) -> node.rpc(), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertEquals(0, xe.run(List.of("-u", "root", "-pw", "x", "sr-probe", "type=nfs", "device-config:server=" + server.address(),
                "device-config:serverpath=" + NfsServer.EXPORT), Map.of(), null), err.toString());
        assertTrue(out.toString().contains("<UUID>" + uuid + "</UUID>"), out.toString());
        assertEquals(1, xe.run(List.of("-u", "root", "-pw", "x", "sr-probe", "type=nfs", "device-config:server=" + server.address()), Map.of(), null));
        assertTrue(err.toString().contains("SR_BACKEND_FAILURE_101") && err.toString().contains("<Path>/export</Path>"), err.toString());

        var v4 = new java.util.HashMap<>(config());
        v4.put("nfsversion", "4.1");
        assertEquals("SR_BACKEND_FAILURE_72", fails("SR.probe", session, node.hostRef(), v4, "nfs", Map.of()).code());
        assertEquals("SR_BACKEND_FAILURE_73", fails("SR.probe", session, node.hostRef(),
                Map.of("server", server.address(), "serverpath", "/nowhere"), "nfs", Map.of()).code());
        assertEquals(List.of("SR_OPERATION_NOT_SUPPORTED"), fails("SR.probe_ext", session, node.hostRef(), config(), "nfs", Map.of()).description());
        assertEquals("SR_UNKNOWN_DRIVER", fails("SR.probe", session, node.hostRef(), config(), "nosuch", Map.of()).code());
    }

    @Test
    void vdisAreQcow2FilesInTheSrsDirectoryOnTheServer() throws Exception {
        String sr = createSr();
        String uuid = (String) call("SR.get_uuid", session, sr);
        Path srDir = server.exportDir().resolve(uuid);
        assertTrue(Files.isDirectory(srDir), "SR.create made <serverpath>/<sr-uuid>");
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        assertEquals(true, call("PBD.get_currently_attached", session, pbd));
        assertTrue((Long) call("SR.get_physical_size", session, sr) > 0);

        String vdi = createVdi(sr, 4 * MIB, "disk");
        Path file = image(uuid, vdi);
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals("rw-------", PosixFilePermissions.toString(a.permissions()));
        assertEquals("root", a.owner().getName());
        assertEquals(4 * MIB, call("VDI.get_virtual_size", session, vdi));
        assertTrue(TestCommand.run(List.of("qemu-img", "info", file.toString())).output().contains("file format: qcow2"));

        var written = TestCommand.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1M", file.toString()));
        assertEquals(0, written.exit(), written.output());

        // a clone: both become overlays on a hidden base copy, all on the server
        String clone = (String) call("VDI.clone", session, vdi, Map.of());
        String base = (String) ((Map<?, ?>) call("VDI.get_sm_config", session, clone)).get(Storage.PARENT_KEY);
        assertEquals(base, ((Map<?, ?>) call("VDI.get_sm_config", session, vdi)).get(Storage.PARENT_KEY));
        assertTrue(Files.exists(srDir.resolve(base + ".qcow2")));
        assertTrue(TestCommand.run(List.of("qemu-img", "info", image(uuid, clone).toString())).output().contains("backing file: " + base + ".qcow2"));
        call("VDI.resize", session, clone, 8 * MIB);
        assertEquals(8 * MIB, call("VDI.get_virtual_size", session, clone));
        assertTrue(TestCommand.run(List.of("qemu-img", "info", image(uuid, clone).toString())).output().contains("backing file: " + base + ".qcow2"),
                "a resize on NFS leaves the image's backing file as it was");

        // a copy reads the clone through its chain: what was written before the clone is in it
        String copy = (String) call("VDI.copy", session, clone, sr);
        assertHoldsWhatWasWritten(image(uuid, copy));
        assertEquals(8 * MIB, call("VDI.get_virtual_size", session, copy));
        // and across SRs: from the NFS chain to local storage, and back
        String local = (String) call("VDI.copy", session, clone, defaultSr());
        assertHoldsWhatWasWritten(image(local));
        String back = (String) call("VDI.copy", session, local, sr);
        assertHoldsWhatWasWritten(image(uuid, back));
        call("VDI.destroy", session, local);

        // a scan adopts an image made behind the SR's back and forgets one removed
        String stray = Refs.newUuid();
        var made = TestCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", srDir.resolve(stray + ".qcow2").toString(), "2M"));
        assertEquals(0, made.exit(), made.output());
        Files.delete(image(uuid, clone));
        call("SR.scan", session, sr);
        List<String> locations = ((List<?>) call("SR.get_VDIs", session, sr)).stream().map(v -> (String) call("VDI.get_location", session, v)).toList();
        assertTrue(locations.contains(stray), locations.toString());
        assertFalse(locations.contains(clone), locations.toString());

        // destroying the disks takes their files, and the base copy once nothing is built on it
        List<?> managed = ((List<?>) call("SR.get_VDIs", session, sr)).stream().filter(v -> (Boolean) call("VDI.get_managed", session, v)).toList();
        for (Object v : managed) call("VDI.destroy", session, v);
        assertEquals(List.of(), call("SR.get_VDIs", session, sr));
        assertEquals(List.of(), files(srDir));
        call("PBD.unplug", session, pbd);
        call("SR.destroy", session, sr);
        assertFalse(Files.exists(srDir), "SR.destroy removed the directory SR.create made");
    }

    /**
     * A compressed qcow2 image imported into a disk on NFS: staged on the daemon's own disk (an NFS SR has no directory
     * here), checked, and converted by qemu-img into the image on the server, which then holds it; no file is left.
     */
    @Test
    void aQcow2ImageImportsIntoADiskOnTheServer(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String sr = createSr();
        String uuid = (String) call("SR.get_uuid", session, sr);
        String vdi = createVdi(sr, 4 * MIB, "imported");
        Path raw = dir.resolve("disk.raw");
        Path qcow2 = dir.resolve("disk.qcow2");
        for (var cmd : List.of(List.of("qemu-img", "create", "-q", "-f", "raw", raw.toString(), "4M"),
                List.of("qemu-io", "-f", "raw", "-c", "write -P 0xcd 1M 1M", raw.toString()),
                List.of("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()))) {
            var r = TestCommand.run(cmd);
            assertEquals(0, r.exit(), r.output());
        }
        byte[] image = Files.readAllBytes(qcow2);
        node.storage().streams().importInto(org.flotilla.model.xenapi.VDI.CLASS.ref(vdi), DiskStreams.Format.QCOW2,
                new java.io.ByteArrayInputStream(image), image.length, org.flotilla.api.TaskContext.NONE);
        var same = TestCommand.run(List.of("qemu-img", "compare", "-f", "qcow2", "-F", "raw", image(uuid, vdi).toString(), raw.toString()));
        assertEquals(0, same.exit(), same.output());
        assertEquals(List.of(image(uuid, vdi).getFileName().toString()), files(server.exportDir().resolve(uuid)));
    }

    /** As Xen Orchestra reattaches an SR: probe for it, introduce it, give the host a PBD, plug it; its disks come back. */
    @Test
    void aForgottenSrIsProbedIntroducedAndPluggedAgainWithItsDisks() {
        String sr = createSr();
        String uuid = (String) call("SR.get_uuid", session, sr);
        String vdi = createVdi(sr, 2 * MIB, "kept");
        String location = (String) call("VDI.get_location", session, vdi);
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        call("PBD.unplug", session, pbd);
        call("SR.forget", session, sr);
        assertTrue(Files.isRegularFile(server.exportDir().resolve(uuid).resolve(location + ".qcow2")), "forgetting leaves the disks");

        String newPbd = reattach(uuid, "nfs", config(), location, 2 * MIB);

        // a PBD whose directory is not on the server does not plug
        call("PBD.unplug", session, newPbd);
        call("PBD.set_device_config", session, newPbd, Map.of("server", server.address(), "serverpath", "/export/elsewhere"));
        assertEquals("SR_BACKEND_FAILURE_73", fails("PBD.plug", session, newPbd).code());
        assertEquals(false, call("PBD.get_currently_attached", session, newPbd));
    }

    @Test
    void aGuestCountsOnItsDiskOnTheNfsSrAcrossARestart() throws Exception {
        rebootWithTheTestGuest();
        String sr = createSr();
        String vdi = createVdi(sr, 16 * MIB, "counter's disk");
        CountingGuest guest = startCountingGuest(vdi);
        Ref<VM> vm = guest.vm();
        Path serial = guest.serial();
        String blockdev = Files.readString(Path.of("/proc", Long.toString(node.vmRuntime().pids().get(vm)), "cmdline")).replace('\0', ' ');
        assertTrue(blockdev.contains("\"driver\":\"nfs\""), "QEMU opens the disk with its nfs driver: " + blockdev);

        // a snapshot while it runs: QEMU goes on writing to a new overlay it opens over NFS; and the disk grows under it
        String snapshot = (String) call("VDI.snapshot", session, vdi, Map.of());
        assertEquals(true, call("VDI.get_is_a_snapshot", session, snapshot));
        call("VDI.resize_online", session, vdi, 32 * MIB);
        assertEquals(32 * MIB, call("VDI.get_virtual_size", session, vdi));
        // a second disk on the NFS SR plugged into it while it runs
        String data = createVdi(sr, 4 * MIB, "data");
        var fields = new java.util.HashMap<String, Object>(Map.of("VM", vm.value(), "VDI", data, "userdevice", "1", "bootable", false,
                "mode", "RW", "type", "Disk", "unpluggable", true, "empty", false, "other_config", Map.of()));
        fields.putAll(Map.of("qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
        String vbd = (String) call("VBD.create", session, fields);
        call("VBD.plug", session, vbd);
        assertEquals(true, call("VBD.get_currently_attached", session, vbd));

        int seen = TestGuest.awaitCounts(serial, 1).size();
        long first = TestGuest.awaitCounts(serial, seen + 5).getLast();
        call("VM.hard_shutdown", session, vm.value());
        assertEquals(VmPowerState.Halted, node.db().require(vm).get(VM.power_state));

        call("VM.start", session, vm.value(), false, false);
        long resumed = TestGuest.awaitCounts(serial, 1).getFirst();
        assertTrue(resumed > first, "it counts on from what it wrote to the NFS disk, through the snapshot's chain: " + resumed + " after " + first);
        call("VM.hard_shutdown", session, vm.value());
    }

    /** The image reads back the 0xab the test wrote to its first MiB. */
    private static void assertHoldsWhatWasWritten(Path image) {
        var read = TestCommand.run(List.of("qemu-io", "-f", "qcow2", "-c", "read -P 0xab 0 1M", image.toString()));
        assertEquals(0, read.exit(), read.output());
        assertFalse(read.output().contains("Pattern verification failed"), read.output());
    }
}

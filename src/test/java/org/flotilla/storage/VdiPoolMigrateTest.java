package org.flotilla.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.cli.Xe;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * VDI.pool_migrate of a running guest's disk between two SRs of its host: the guest counts on its disk (and console)
 * every 50 ms while QEMU mirrors the disk into a new VDI on the other SR and pivots onto it.
 */
@Slow
class VdiPoolMigrateTest extends OnALocalSr {
    private static final String COUNTING = "console=ttyS0 quiet panic=-1 flotilla.mode=counter flotilla.counter_ms=50";
    private final List<Path> mounted = new java.util.ArrayList<>();

    /** Before the node closes (OnALocalSr): the QEMUs it left, then the test's small file system. */
    @AfterEach
    void endGuestsAndUnmount() {
        List<Long> qemus = node == null ? List.of() : List.copyOf(node.vmRuntime().pids().values());
        for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
        for (Path m : mounted) TestCommand.run(List.of("umount", "-l", m.toString()));
    }

    @Test
    void aRunningGuestsDiskMovesToAnotherSrAndTheGuestCountsOnFromIt() throws Exception {
        Running g = counterOnTheDefaultSr(false);
        call("VDI.set_name_description", session, g.vdi, "where it counts");
        call("VDI.add_to_other_config", session, g.vdi, "kept", "yes");
        String second = fileSr(dir.resolve("second"), "second");
        Path oldImage = image(g.vdi);
        long pid = pid(g.vm);
        long beforeMove = TestGuest.awaitCounts(g.serial, 5).getLast();
        List<String> oldNodes = nodes(g.vm);
        List<String> oldFdsets = fdsets(g.vm);

        String task = (String) call("Async.VDI.pool_migrate", session, g.vdi, second, Map.of());
        for (int i = 0; i < 1200 && "pending".equals(call("task.get_status", session, task)); i++) Thread.sleep(50);
        assertEquals("success", call("task.get_status", session, task), () -> String.valueOf(call("task.get_error_info", session, task)));
        assertEquals(1.0, call("task.get_progress", session, task));
        String moved = ((String) call("task.get_result", session, task)).replace("<value>", "").replace("</value>", "");

        assertEquals(pid, pid(g.vm), "the same QEMU runs the guest");
        assertEquals("Running", call("VM.get_power_state", session, g.vm.value()));
        assertEquals(moved, call("VBD.get_VDI", session, g.vbd));
        assertEquals(second, call("VDI.get_SR", session, moved));
        assertEquals(16 * MIB, call("VDI.get_virtual_size", session, moved));
        assertEquals("counter's disk", call("VDI.get_name_label", session, moved));
        assertEquals("where it counts", call("VDI.get_name_description", session, moved));
        assertEquals(Map.of("kept", "yes"), call("VDI.get_other_config", session, moved));
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, g.vdi).code(), "the old VDI is destroyed");
        assertFalse(Files.exists(oldImage), "the old image is gone: " + oldImage);
        assertTrue(Files.exists(image(moved)));
        assertTrue(nodes(g.vm).stream().noneMatch(oldNodes::contains), "the old image's nodes are deleted: " + nodes(g.vm));
        assertTrue(fdsets(g.vm).stream().noneMatch(oldFdsets::contains), "and its descriptors: " + fdsets(g.vm));
        assertEquals(oldFdsets.size(), fdsets(g.vm).size(), "one for the new image in their place");
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        assertFalse(cmdline.contains(image(moved).getFileName().toString()), "QEMU got the new image as a descriptor, not a path");

        int seen = TestGuest.awaitCounts(g.serial, 1).size();
        List<Long> counts = TestGuest.awaitCounts(g.serial, seen + 20);
        assertTrue(counts.getLast() > beforeMove + 20);
        for (int i = 1; i < counts.size(); i++) {
            assertEquals(counts.get(i - 1) + 1, counts.get(i), "the count goes on with no gap or rollback across the move: " + counts);
        }

        // and back, through xe, with a snapshot taken meanwhile: its disk goes along, a snapshot of the new VDI
        String snapshot = (String) call("VM.snapshot", session, g.vm.value(), "before going back");
        String snapshotDisk = ((List<?>) call("VM.get_VBDs", session, snapshot)).stream().map(b -> (String) call("VBD.get_VDI", session, b))
                .filter(v -> !v.equals("OpaqueRef:NULL")).findFirst().orElseThrow();
        assertEquals(second, call("VDI.get_SR", session, snapshotDisk));
        Object taken = call("VDI.get_snapshot_time", session, snapshotDisk);
        String back = xe("vdi-pool-migrate", "uuid=" + call("VDI.get_uuid", session, moved), "sr-uuid=" + call("SR.get_uuid", session, defaultSr()));
        String home = (String) call("VDI.get_by_uuid", session, back.strip());
        assertEquals(home, call("VBD.get_VDI", session, g.vbd));
        assertEquals(defaultSr(), call("VDI.get_SR", session, home));
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, moved).code());
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, snapshotDisk).code(), "the snapshot's old disk is destroyed");
        String snapshotHome = ((List<?>) call("VM.get_VBDs", session, snapshot)).stream().map(b -> (String) call("VBD.get_VDI", session, b))
                .filter(v -> !v.equals("OpaqueRef:NULL")).findFirst().orElseThrow();
        assertEquals(defaultSr(), call("VDI.get_SR", session, snapshotHome));
        assertEquals(true, call("VDI.get_is_a_snapshot", session, snapshotHome));
        assertEquals(home, call("VDI.get_snapshot_of", session, snapshotHome));
        assertEquals(taken, call("VDI.get_snapshot_time", session, snapshotHome));
        assertEquals(pid, pid(g.vm));
        seen = TestGuest.awaitCounts(g.serial, 1).size();
        counts = TestGuest.awaitCounts(g.serial, seen + 10);
        for (int i = 1; i < counts.size(); i++) assertEquals(counts.get(i - 1) + 1, counts.get(i), "and on across the move back: " + counts);

        // a disk of the guest's it has not plugged is no QEMU's: it is copied over
        String spare = createVdi(defaultSr(), 4 * MIB, "spare");
        var fields = new java.util.HashMap<String, Object>(Map.of("VM", g.vm.value(), "VDI", spare, "userdevice", "1", "bootable", false,
                "mode", "RW", "type", "Disk", "unpluggable", true, "empty", false, "other_config", Map.of()));
        fields.putAll(Map.of("qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
        String spareVbd = (String) call("VBD.create", session, fields);
        assertEquals(false, call("VBD.get_currently_attached", session, spareVbd));
        Path spareImage = image(spare);
        String copied = (String) call("VDI.pool_migrate", session, spare, second, Map.of());
        assertEquals(copied, call("VBD.get_VDI", session, spareVbd));
        assertEquals(second, call("VDI.get_SR", session, copied));
        assertEquals("spare", call("VDI.get_name_label", session, copied));
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, spare).code());
        assertFalse(Files.exists(spareImage));
        assertEquals(pid, pid(g.vm));

        long lastSeen = TestGuest.awaitCounts(g.serial, 1).getLast();
        call("VM.hard_shutdown", session, g.vm.value());
        call("VM.start", session, g.vm.value(), false, false);
        long resumed = TestGuest.awaitCounts(g.serial, 1).getFirst();
        assertTrue(resumed > lastSeen, "after a restart it counts on from what it wrote to the new disk: " + resumed + " after " + lastSeen);
        call("VM.hard_shutdown", session, g.vm.value());
    }

    @Test
    void aMoveThatCannotBeDoneLeavesTheGuestOnItsDisk() throws Exception {
        Running g = counterOnTheDefaultSr(true);
        long pid = pid(g.vm);
        Path image = image(g.vdi);
        String sr = defaultSr();

        // a file system smaller than the disk: the target SR has no room for it
        String small = fileSr(smallFileSystem("small", "8m").resolve("sr"), "small");
        ApiError full = fails("VDI.pool_migrate", session, g.vdi, small, Map.of());
        assertEquals("SR_FULL", full.code(), full.description().toString());
        assertEquals(List.of(), call("SR.get_VDIs", session, small), "no new VDI is left behind");
        assertEquals(g.vdi, call("VBD.get_VDI", session, g.vbd));
        assertEquals(sr, call("VDI.get_SR", session, g.vdi));
        assertTrue(Files.exists(image));
        assertEquals(pid, pid(g.vm));
        int seen = TestGuest.awaitCounts(g.serial, 1).size();
        TestGuest.awaitCounts(g.serial, seen + 5);

        // room for the disk's size but not for all it holds: QEMU's mirror job fails writing to the new image
        Path tightDir = smallFileSystem("tight", "16400k").resolve("sr");
        String tight = fileSr(tightDir, "tight");
        List<String> nodes = nodes(g.vm);
        List<String> fdsets = fdsets(g.vm);
        ApiError failed = fails("VDI.pool_migrate", session, g.vdi, tight, Map.of());
        assertEquals(List.of("MIRROR_FAILED", g.vdi), failed.description());
        assertEquals(nodes, nodes(g.vm), "QEMU's new node is deleted");
        assertEquals(fdsets, fdsets(g.vm), "and its descriptors");
        assertEquals(List.of(), call("SR.get_VDIs", session, tight), "the new VDI is destroyed");
        assertEquals(List.of(), files(tightDir).stream().filter(f -> f.endsWith(".qcow2")).toList(), "and its image");
        assertEquals(g.vdi, call("VBD.get_VDI", session, g.vbd));
        assertEquals(pid, pid(g.vm));
        long beforeFailure = TestGuest.awaitCounts(g.serial, 1).size();
        List<Long> counts = TestGuest.awaitCounts(g.serial, (int) beforeFailure + 10);
        for (int i = 1; i < counts.size(); i++) assertEquals(counts.get(i - 1) + 1, counts.get(i), "it counts on on its old disk: " + counts);
        var read = TestCommand.run(List.of("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -P 0xab 64k 1m", image.toString()));
        assertEquals(0, read.exit(), read.output());
        assertFalse(read.output().contains("Pattern verification failed"), read.output());

        // an SR this host has not plugged
        String unplugged = fileSr(dir.resolve("unplugged"), "unplugged");
        call("PBD.unplug", session, ((List<?>) call("SR.get_PBDs", session, unplugged)).getFirst());
        assertEquals(List.of("VM_REQUIRES_SR", g.vm.value(), unplugged), fails("VDI.pool_migrate", session, g.vdi, unplugged, Map.of()).description());

        // a VDI no VM has
        String loose = createVdi(sr, MIB, "loose");
        assertEquals(List.of("VDI_NEEDS_VM_FOR_MIGRATE", loose), fails("VDI.pool_migrate", session, loose, small, Map.of()).description());

        // moving within its own SR changes nothing
        assertEquals(g.vdi, call("VDI.pool_migrate", session, g.vdi, sr, Map.of()));

        // a VM that does not run
        call("VM.hard_shutdown", session, g.vm.value());
        String second = fileSr(dir.resolve("second"), "second");
        assertEquals(List.of("VM_BAD_POWER_STATE", g.vm.value(), "running", "halted"),
                fails("VDI.pool_migrate", session, g.vdi, second, Map.of()).description());
        assertEquals(g.vdi, call("VBD.get_VDI", session, g.vbd));
        assertEquals(List.of(), call("SR.get_VDIs", session, second));
    }

    /** A tmpfs of {@code size} mounted in the test's directory, unmounted after the test. */
    private Path smallFileSystem(String name, String size) throws Exception {
        Path m = dir.resolve(name);
        Files.createDirectories(m);
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "flotilla-test-vdimig", m.toString());
        mounted.add(m);
        return m;
    }

    /** A counting guest running on a 16 MiB disk of the default SR; {@code filled}, all but its counter's block written first. */
    private Running counterOnTheDefaultSr(boolean filled) throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        node.close();
        boot();
        String vdi = createVdi(defaultSr(), 16 * MIB, "counter's disk");
        if (filled) run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 64k " + (16 * MIB - 64 * 1024), image(vdi).toString());
        Guest guest = haltedGuestWith("counter", vdi, VbdType.Disk, COUNTING);
        Ref<VM> vm = VM.CLASS.ref(guest.vm());
        node.vmRuntime().refreshAllowedOperations();
        call("VM.start", session, vm.value(), false, false);
        Path serial = dir.resolve("run").resolve(node.db().require(vm).get(VM.uuid)).resolve("serial.log");
        TestGuest.awaitCounts(serial, 5);
        return new Running(vm, guest.vbd(), vdi, serial);
    }

    private record Running(Ref<VM> vm, String vbd, String vdi, Path serial) {}

    /** The names of the block nodes the VM's QEMU has. */
    private List<String> nodes(Ref<VM> vm) throws Exception {
        var names = new java.util.ArrayList<String>();
        for (var n : node.vmRuntime().domains().get(vm).qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            names.add(n.path("node-name").asText());
        }
        return names.stream().sorted().toList();
    }

    /** The ids of the fdsets the VM's QEMU has. */
    private List<String> fdsets(Ref<VM> vm) throws Exception {
        var ids = new java.util.ArrayList<String>();
        for (var set : node.vmRuntime().domains().get(vm).qmp.execute("query-fdsets")) ids.add(set.path("fdset-id").asText());
        return ids.stream().sorted().toList();
    }

    /** What xe prints for {@code args}, run against the node; it must succeed. */
    private String xe(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var all = new java.util.ArrayList<>(List.of("-u", "root", "-pw", "x"));
        all.addAll(List.of(args));
        int code = new Xe((host, port, tls) -> node.rpc(), new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8))
                .run(all, Map.of(), null);
        assertEquals(0, code, "xe " + String.join(" ", args) + ": " + err.toString(UTF_8));
        return out.toString(UTF_8);
    }

    private long pid(Ref<VM> vm) { return node.vmRuntime().pids().get(vm); }

    private String fileSr(Path location, String name) {
        return (String) call("SR.create", session, node.hostRef(), Map.of("location", location.toString()), "0", name, "",
                "file", "", false, Map.of());
    }
}

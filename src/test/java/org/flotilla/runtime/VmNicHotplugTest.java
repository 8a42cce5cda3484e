package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.Slow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * VIF.plug, unplug and unplug_force on running test guests: two guests on one network (a real bridge), the
 * second gaining and losing a NIC while it runs. The test bridge is removed afterwards even if the test fails.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmNicHotplugTest {
    private static final Duration BOOT = Duration.ofSeconds(30 * LOADED);
    private static final Path SYS = Path.of("/sys/class/net");

    @TempDir Path dir;
    VmHost h;
    String bridge;

    @BeforeEach
    void up() throws Exception {
        h = new VmHost(dir);
        bridge = "flhp" + Long.toHexString(System.nanoTime() & 0xfffffL);
    }

    @AfterEach
    void down() throws Exception {
        h.close();
        if (Files.exists(SYS.resolve(bridge))) new ProcessBuilder("ip", "link", "del", "dev", bridge).start().waitFor();
    }

    String network() {
        return (String) h.call("network.create", Map.of("name_label", "hotplug " + bridge, "name_description", "",
                "MTU", "1500", "other_config", Map.of(), "bridge", bridge));
    }

    String vif(String vm, String net, String device) {
        var args = new LinkedHashMap<String, Object>();
        args.put("VM", vm);
        args.put("network", net);
        args.put("device", device);
        args.put("MAC", "");
        args.put("MTU", "0");
        args.put("other_config", Map.of());
        args.put("qos_algorithm_type", "");
        args.put("qos_algorithm_params", Map.of());
        return (String) h.call("VIF.create", args);
    }

    Map<String, Object> rec(String vif) { return h.node.db().record("VIF", vif); }

    String tap(String vif) { return h.node.db().get("VIF", vif).<String, String>map("runtime_properties").get("tap"); }

    /** Whether QEMU has the NIC device {@code id} (a device the guest has not released yet still counts). */
    boolean qemuHas(String vm, String id) throws Exception {
        for (JsonNode p : h.qmp(vm).execute("qom-list", Map.of("path", "/machine/peripheral"))) {
            if (id.equals(p.path("name").asText())) return true;
        }
        return false;
    }

    static String master(String dev) throws Exception {
        Path m = SYS.resolve(dev).resolve("master");
        return Files.isSymbolicLink(m) ? Files.readSymbolicLink(m).getFileName().toString() : "";
    }

    @Test
    void aRunningGuestGainsAWorkingNicAndLosesItAgain() throws Exception {
        String net = network();
        String a = h.newVm("peer", "net", 128, f -> f.put("PV_args", f.get("PV_args") + " flotilla.ip=10.233.0.1/24"));
        vif(a, net, "0");
        String b = h.newVm("gains a nic", "net", 128,
                f -> f.put("PV_args", f.get("PV_args") + " flotilla.ip=10.233.0.2/24 flotilla.ping=10.233.0.1"));
        h.call("VM.start", a, false, false);
        h.call("VM.start", b, false, false);
        h.awaitSerial(a, "FLOTILLA-GUEST net eth0 10.233.0.1/24", 1, BOOT);
        h.awaitSerial(b, "FLOTILLA-GUEST up", 1, BOOT);

        // VIF.create on a running VM makes a record only: the NIC is plugged explicitly
        String v = vif(b, net, "0");
        String mac = (String) rec(v).get("MAC");
        assertEquals(false, rec(v).get("currently_attached"));
        assertEquals(List.of("attach", "plug"), rec(v).get("allowed_operations"));
        assertEquals(List.of("DEVICE_ALREADY_DETACHED", v), h.fails("VIF.unplug", v).description());
        assertFalse(qemuHas(b, "nic0"));
        assertFalse(((List<?>) h.call("VM.get_allowed_VIF_devices", b)).contains("0"));

        h.call("VIF.plug", v);
        assertEquals(true, rec(v).get("currently_attached"));
        assertEquals(List.of("attach", "unplug"), rec(v).get("allowed_operations"));
        assertEquals(Map.of(), rec(v).get("current_operations"));
        String tap = tap(v);
        assertEquals("vif" + h.vm(b).get("domid") + ".0", tap);
        assertEquals(bridge, master(tap));
        assertTrue(qemuHas(b, "nic0"));
        h.awaitSerial(b, "FLOTILLA-GUEST net eth0 10.233.0.2/24 mac " + mac, 1, BOOT);
        h.awaitSerial(b, "FLOTILLA-GUEST ping 10.233.0.1 ", 1, BOOT);
        assertTrue(h.serial(b).contains("FLOTILLA-GUEST ping 10.233.0.1 ok"), h.serial(b));

        assertEquals(List.of("DEVICE_ALREADY_ATTACHED", v), h.fails("VIF.plug", v).description());
        assertEquals(List.of("OPERATION_NOT_ALLOWED", "VIF currently attached to a running VM"), h.fails("VIF.destroy", v).description());

        long t0 = System.nanoTime();
        h.call("VIF.unplug", v);
        System.out.printf("VIF.unplug: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(false, rec(v).get("currently_attached"));
        assertEquals(List.of("attach", "plug"), rec(v).get("allowed_operations"));
        assertFalse(Files.exists(SYS.resolve(tap)), "the tap is gone");
        assertFalse(qemuHas(b, "nic0"));
        h.awaitSerial(b, "FLOTILLA-GUEST net eth0 gone", 1, BOOT);

        // plugged again, the same device works again
        h.call("VIF.plug", v);
        h.awaitSerial(b, "FLOTILLA-GUEST ping 10.233.0.1 ", 2, BOOT);
        assertEquals(2, VmHost.occurrences(h.serial(b), "FLOTILLA-GUEST ping 10.233.0.1 ok"), h.serial(b));
        h.call("VIF.unplug_force", v);
        assertEquals(false, rec(v).get("currently_attached"));
        assertFalse(Files.exists(SYS.resolve(tap)));

        // a halted VM's VIF cannot be plugged; an unplugged one can be destroyed
        h.call("VM.hard_shutdown", b);
        assertEquals(List.of("attach"), rec(v).get("allowed_operations"));
        assertEquals(List.of("VM_BAD_POWER_STATE", b, "running", "halted"), h.fails("VIF.plug", v).description());
        h.call("VIF.destroy", v);
        h.call("VM.hard_shutdown", a);
    }

    @Test
    void aGuestThatDoesNotReleaseItsNic() throws Exception {
        String net = network();
        String vm = h.newVm("holds on", "net", 128, f -> f.put("PV_args", f.get("PV_args") + " flotilla.ip=10.234.0.1/24"));
        String v = vif(vm, net, "3");
        String disk = h.newVdi("holds on's disk", 8);
        h.newVbd(vm, disk, "1", "Disk");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST net eth0 10.234.0.1/24", 1, BOOT);
        assertEquals(List.of("attach", "unplug"), rec(v).get("allowed_operations"), "plugged at start, unpluggable");
        String tap = tap(v);

        // the guest is frozen behind the API's back: it cannot answer the unplug request
        h.qmp(vm).execute("stop");
        var rejected = h.fails("VIF.unplug", v);
        assertEquals(List.of("DEVICE_DETACH_REJECTED", "VIF", v), rejected.description().subList(0, 3));
        assertEquals(true, rec(v).get("currently_attached"));
        assertTrue(Files.exists(SYS.resolve(tap)));
        // once it runs again it lets go of the NIC; the VIF follows
        h.qmp(vm).execute("cont");
        VmHost.await(() -> Boolean.FALSE.equals(rec(v).get("currently_attached")), BOOT, "the late release to detach the VIF");
        assertFalse(Files.exists(SYS.resolve(tap)));
        h.awaitSerial(vm, "FLOTILLA-GUEST net eth0 gone", 1, BOOT);

        // unplug_force does not wait for the guest beyond its bound: the NIC is cut off its network anyway
        h.call("VIF.plug", v);
        h.awaitSerial(vm, "FLOTILLA-GUEST net eth0 10.234.0.1/24", 2, BOOT);
        String tap2 = tap(v);
        h.qmp(vm).execute("stop");
        h.call("VIF.unplug_force", v);
        assertEquals(false, rec(v).get("currently_attached"));
        // QEMU still holds the tap (removed under it, QEMU 10 exits): it is off the bridge and down until the guest lets go
        assertFalse(Files.exists(SYS.resolve(tap2).resolve("master")), "the forced-off tap left its bridge");
        assertEquals("down", Files.readString(SYS.resolve(tap2).resolve("operstate")).strip());
        // while the guest holds it, its QEMU has a NIC the records do not: a QEMU made from them could not take its state in
        for (var refused : List.of(h.fails("VM.suspend", vm), h.fails("VM.checkpoint", vm, "with the NIC"),
                h.fails("VM.pool_migrate", vm, h.call("VM.get_resident_on", vm), Map.of()),
                h.fails("VM.migrate_send", vm, Map.of(), true, Map.of(), Map.of(), Map.of()),
                h.fails("VM.assert_can_migrate", vm, Map.of(), true, Map.of(), Map.of(), Map.of()))) {
            assertEquals("OPERATION_NOT_ALLOWED", refused.code());
            assertTrue(refused.params().getFirst().contains("still holds NIC 3"), refused.params().getFirst());
        }
        assertEquals("Running", h.power(vm));
        // a disk's move leaves the memory in its QEMU: the held NIC does not stand in its way (within one SR, nothing moves)
        assertEquals(disk, h.call("VDI.pool_migrate", disk, h.node.db().get("VDI", disk).get("SR"), Map.of()));
        // and clients are not offered them (Xen Orchestra reads allowed_operations), nor told they are valid
        List<String> memoryMoves = List.of("pool_migrate", "migrate_send", "suspend", "checkpoint");
        assertTrue(memoryMoves.stream().noneMatch(vmOperations(vm)::contains), "offered: " + vmOperations(vm));
        assertEquals("OPERATION_NOT_ALLOWED", h.fails("VM.assert_operation_valid", vm, "pool_migrate").code());
        h.qmp(vm).execute("cont");
        VmHost.await(() -> {
            try { return !qemuHas(vm, "nic3"); } catch (Exception e) { throw new IllegalStateException(e); }
        }, BOOT, "the guest to release the forced-off NIC");
        VmHost.await(() -> !Files.exists(SYS.resolve(tap2)), BOOT, "the forced-off NIC's tap to go once the guest let go of it");
        assertEquals("Running", h.power(vm));
        VmHost.await(() -> vmOperations(vm).containsAll(memoryMoves), BOOT, "the VM's memory moves offered again once the guest let go");

        // suspend and resume bring back the NICs the VM had, not the unplugged one
        String kept = vif(vm, net, "4");
        h.call("VIF.plug", kept);
        h.call("VM.suspend", vm);
        assertEquals(true, rec(kept).get("currently_attached"), "a suspended VM's NIC stays marked attached");
        assertEquals(false, rec(v).get("currently_attached"));
        h.call("VM.resume", vm, false, false);
        assertEquals("Running", h.power(vm));
        assertTrue(qemuHas(vm, "nic4"));
        assertFalse(qemuHas(vm, "nic3"), "the NIC unplugged before the suspend stays out");
        assertEquals(false, rec(v).get("currently_attached"));
        h.call("VM.hard_shutdown", vm);
        assertEquals(false, rec(kept).get("currently_attached"));
    }

    @SuppressWarnings("unchecked")
    private List<String> vmOperations(String vm) { return (List<String>) h.call("VM.get_allowed_operations", vm); }
}

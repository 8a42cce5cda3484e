package org.flotilla.network;

import static org.flotilla.TestTimeouts.LOADED;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.flotilla.Slow;
import org.flotilla.TestCommand;
import org.flotilla.api.Refs;
import org.flotilla.daemon.InProcessNode;
import org.flotilla.runtime.launch.VifBackend.TapDevice;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.network.bridge.HostLinks;
import org.flotilla.network.linux.LinuxBridges;
import org.flotilla.network.pif.Pifs;
import org.flotilla.network.vif.Macs;
import org.flotilla.network.vif.Taps;
import org.flotilla.qemu.QemuProcess;
import org.flotilla.qemu.TestGuest;
import org.flotilla.qemu.TestQemus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Networks, VIFs and PIFs through the XenAPI dispatch in-process, with real Linux bridges and tap
 * devices (run as root) and, at the end, two real test guests talking over a network. Every device a
 * test makes has a test-only name (bridges {@code flbr<hex>}, taps {@code vif<random domid>.<n>}) and
 * is removed afterwards even when the test fails.
 */
@Slow
class NetworkTest extends InProcessNode {
    private static final Path SYS = Path.of("/sys/class/net");
    private static final HostLinks LINKS = LinuxBridges.system();

    final List<String> devices = new ArrayList<>();
    final TestQemus qemus = new TestQemus();
    final List<AutoCloseable> cleanup = new ArrayList<>(List.of(qemus));

    @BeforeEach
    void start() { boot(); }

    @AfterEach
    void stop() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try { cleanup.get(i).close(); } catch (Exception ignored) { /* keep cleaning */ }
        }
        if (node != null) node.close();
        // taps first, then bridges
        for (String d : devices) if (d.startsWith("vif") && Files.exists(SYS.resolve(d))) ip("link", "del", "dev", d);
        for (String d : devices) if (Files.exists(SYS.resolve(d))) ip("link", "del", "dev", d);
    }

    static String ip(String... args) {
        var cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        return TestCommand.run(cmd).output();
    }

    /** A test bridge name, removed after the test. */
    String bridgeName() {
        String b = "flbr" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        devices.add(b);
        return b;
    }

    /** A domid for a test VM that no real VM has; its taps are removed after the test. */
    long domid() {
        long d = ThreadLocalRandom.current().nextLong(20000, 60000);
        for (int dev = 0; dev < 4; dev++) devices.add("vif" + d + "." + dev);
        return d;
    }

    String network(String bridge, long mtu) {
        return (String) call("network.create", session, Map.of("name_label", "test " + bridge, "name_description", "",
                "MTU", Long.toString(mtu), "other_config", Map.of(), "bridge", bridge));
    }

    /** A VM record as the VM subsystem would keep it (this branch does not make VMs). */
    String vm(long domid, VmPowerState powerState, Map<String, String> otherConfig) {
        Ref<VM> ref = Refs.newRef(VM.CLASS);
        var r = node.db().newRecord(VM.CLASS)
                .set(VM.uuid, Refs.newUuid())
                .set(VM.name_label, "net test vm")
                .set(VM.domid, domid)
                .set(VM.power_state, powerState)
                .set(VM.other_config, otherConfig);
        if (powerState != VmPowerState.Halted) r.set(VM.resident_on, Host.CLASS.ref(node.hostRef()));
        node.db().write(tx -> tx.put(ref, r));
        return ref.value();
    }

    /** The VIF's tap on this host, as the VM runtime asks for it. */
    TapDevice attach(String vif, String vm) { return node.taps().attach(VIF.CLASS.ref(vif), VM.CLASS.ref(vm)); }

    void detach(String vif) { node.taps().detach(VIF.CLASS.ref(vif)); }

    String vif(String vm, String network, String device, String mac) {
        var args = new LinkedHashMap<String, Object>();
        args.put("VM", vm);
        args.put("network", network);
        args.put("device", device);
        args.put("MAC", mac);
        args.put("MTU", "0");
        args.put("other_config", Map.of());
        args.put("qos_algorithm_type", "");
        args.put("qos_algorithm_params", Map.of());
        return (String) call("VIF.create", session, args);
    }

    static String master(String dev) throws IOException {
        Path m = SYS.resolve(dev).resolve("master");
        return Files.isSymbolicLink(m) ? Files.readSymbolicLink(m).getFileName().toString() : "";
    }

    static String sys(String dev, String attr) throws IOException { return Files.readString(SYS.resolve(dev).resolve(attr)).trim(); }

    // ---- records ----------------------------------------------------------------------------------

    @Test
    void networkCreateMakesARecordAndNoDevice() {
        String net = (String) call("network.create", session, Map.of("name_label", "internal", "name_description", "d",
                "MTU", "0", "other_config", Map.of("k", "v"), "bridge", ""));
        var r = record("network", net);
        assertEquals("internal", r.get("name_label"));
        assertEquals(1500L, r.get("MTU"));
        assertEquals(true, r.get("managed"));
        assertEquals(Map.of("k", "v"), r.get("other_config"));
        assertEquals("unlocked", r.get("default_locking_mode"));
        String bridge = (String) r.get("bridge");
        assertTrue(bridge.matches("xapi[0-9]+"), bridge);
        assertFalse(Files.exists(SYS.resolve(bridge)), "network.create makes no device");
        String second = (String) call("network.create", session, Map.of("name_label", "second", "bridge", ""));
        assertNotEquals(bridge, call("network.get_bridge", session, second));

        String b = bridgeName();
        String mine = network(b, 9000);
        assertEquals(9000L, call("network.get_MTU", session, mine));
        assertEquals("BRIDGE_NAME_EXISTS", fails("network.create", session, Map.of("name_label", "x", "bridge", b)).code());
        for (String bad : List.of("xenbr7", "xapi99", "vif1.0", "tap0", "eth9", "averyveryverylongbridge", "a b", "br/x")) {
            ApiError e = fails("network.create", session, Map.of("name_label", "x", "bridge", bad));
            assertEquals("INVALID_VALUE", e.code(), bad);
            assertEquals(List.of("bridge", bad), e.params());
        }

        call("network.add_purpose", session, mine, "nbd");
        call("network.add_purpose", session, mine, "nbd");
        assertEquals(List.of("nbd"), call("network.get_purpose", session, mine));
        ApiError e = fails("network.add_purpose", session, net, "insecure_nbd");
        assertEquals("NETWORK_INCOMPATIBLE_PURPOSES", e.code());
        assertEquals(List.of("insecure_nbd", "nbd"), e.params());
        call("network.remove_purpose", session, mine, "nbd");
        call("network.remove_purpose", session, mine, "nbd");
        assertEquals(List.of(), call("network.get_purpose", session, mine));
        call("network.add_purpose", session, net, "insecure_nbd");

        call("network.destroy", session, mine);
        assertEquals("HANDLE_INVALID", fails("network.get_record", session, mine).code());
    }

    @Test
    void firstStartMakesTheHostsNetworksOnceAndTouchesNoDevice() throws IOException {
        @SuppressWarnings("unchecked")
        var nets = (Map<String, Map<String, Object>>) call("network.get_all_records", session);
        var internal = nets.entrySet().stream().filter(n -> "xenapi".equals(n.getValue().get("bridge"))).toList();
        assertEquals(1, internal.size());
        assertEquals("Host internal management network", internal.getFirst().getValue().get("name_label"));
        assertEquals("true", ((Map<?, ?>) internal.getFirst().getValue().get("other_config")).get("is_host_internal_management_network"));
        String internalRef = internal.getFirst().getKey();
        assertEquals("CANNOT_DESTROY_SYSTEM_NETWORK", fails("network.destroy", session, internalRef).code());

        List<String> physical;
        try (Stream<Path> s = Files.list(SYS)) {
            physical = s.filter(p -> Files.exists(p.resolve("device"))).map(p -> p.getFileName().toString()).sorted().toList();
        }
        @SuppressWarnings("unchecked")
        var pifs = (Map<String, Map<String, Object>>) call("PIF.get_all_records", session);
        Map<String, String> pifByDevice = new LinkedHashMap<>();
        pifs.forEach((ref, p) -> assertEquals(null, pifByDevice.put((String) p.get("device"), ref), "one PIF per device"));
        assertFalse(pifByDevice.containsKey("lo"));
        for (String dev : physical) {
            String pif = pifByDevice.get(dev);
            assertTrue(pif != null, "a PIF for " + dev);
            var p = pifs.get(pif);
            assertEquals(node.hostRef(), p.get("host"));
            assertEquals(sys(dev, "address"), p.get("MAC"));
            assertEquals(Long.parseLong(sys(dev, "mtu")), p.get("MTU"));
            assertEquals(-1L, p.get("VLAN"));
            assertEquals(true, p.get("physical"));
            var net = record("network", (String) p.get("network"));
            assertEquals("Pool-wide network associated with " + dev, net.get("name_label"));
            assertEquals(Pifs.bridgeFor(dev), net.get("bridge"));
            assertEquals("NETWORK_CONTAINS_PIF", fails("network.destroy", session, p.get("network")).code());
            assertEquals("", master(dev), "a host NIC is never enslaved");
            assertTrue(record("PIF_metrics", (String) p.get("metrics")).containsKey("carrier"));
        }
        if (physical.contains("eth0")) assertEquals("xenbr0", record("network", (String) pifs.get(pifByDevice.get("eth0")).get("network")).get("bridge"));

        node.close();
        boot();
        @SuppressWarnings("unchecked")
        var after = (Map<String, Map<String, Object>>) call("PIF.get_all_records", session);
        Set<String> devicesAfter = new HashSet<>();
        after.values().forEach(p -> assertTrue(devicesAfter.add((String) p.get("device")), "one PIF per device after a restart"));
        for (String dev : physical) assertTrue(after.containsKey(pifByDevice.get(dev)), "the same PIF for " + dev);
        @SuppressWarnings("unchecked")
        var netsAfter = (Map<String, Map<String, Object>>) call("network.get_all_records", session);
        Set<Object> bridges = new HashSet<>();
        netsAfter.values().forEach(n -> assertTrue(bridges.add(n.get("bridge")), "one network per bridge: " + n.get("bridge")));
        assertTrue(netsAfter.containsKey(internalRef));
        call("PIF.scan", session, node.hostRef());
        @SuppressWarnings("unchecked")
        var rescanned = (Map<String, Map<String, Object>>) call("PIF.get_all_records", session);
        Set<String> devicesRescanned = new HashSet<>();
        rescanned.values().forEach(p -> assertTrue(devicesRescanned.add((String) p.get("device")), "one PIF per device after a rescan"));
        assertTrue(rescanned.keySet().containsAll(after.keySet()));
    }

    @Test
    void vifCreateGeneratesAndChecksMacsAndDevices() {
        String net = network(bridgeName(), 9000);
        String vm = vm(-1, VmPowerState.Halted, Map.of());
        Set<String> macs = new HashSet<>();
        for (int dev = 0; dev < 16; dev++) {
            String vif = vif(vm, net, Integer.toString(dev), "");
            var r = record("VIF", vif);
            String mac = (String) r.get("MAC");
            assertTrue(Macs.valid(mac), mac);
            assertTrue(mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), mac);
            int first = Integer.parseInt(mac.substring(0, 2), 16);
            assertEquals(2, first & 2, "locally administered: " + mac);
            assertEquals(0, first & 1, "unicast: " + mac);
            assertTrue(macs.add(mac), "unique: " + mac);
            assertEquals(true, r.get("MAC_autogenerated"));
            assertEquals(9000L, r.get("MTU"), "the network's MTU");
            assertEquals(false, r.get("currently_attached"));
            assertEquals("network_default", r.get("locking_mode"));
            assertEquals(vm, r.get("VM"));
            assertTrue(record("VIF_metrics", (String) r.get("metrics")).containsKey("last_updated"));
        }
        assertEquals(16, ((List<?>) call("VM.get_VIFs", session, vm)).size());
        assertEquals(16, ((List<?>) call("network.get_VIFs", session, net)).size());

        // XAPI's mac_seed: the same seed and device give the same MAC
        String seeded = vm(-1, VmPowerState.Halted, Map.of("mac_seed", "5a1e3c4d-0000-4000-8000-000000000001"));
        String v3 = vif(seeded, net, "3", "");
        assertEquals(Macs.fromSeed("5a1e3c4d-0000-4000-8000-000000000001", 3), call("VIF.get_MAC", session, v3));
        assertEquals("2a:12:d6:ca:50:78", call("VIF.get_MAC", session, v3), "XAPI's gen_mac: MD5 chained 2*device+1 times");
        assertNotEquals(Macs.fromSeed("5a1e3c4d-0000-4000-8000-000000000001", 4), call("VIF.get_MAC", session, v3));

        String given = vif(seeded, net, "0", "00:16:3E:aa:bb:cc");
        assertEquals("00:16:3E:aa:bb:cc", call("VIF.get_MAC", session, given));
        assertEquals(false, call("VIF.get_MAC_autogenerated", session, given));

        for (String bad : List.of("00:16:3e:aa:bb", "00:16:3e:aa:bb:cc:dd", "00-16-3e-aa-bb-cc", "0:16:3e:aa:bb:cc",
                "00:16:3e:aa:bb:gg", "001:6:3e:aa:bb:cc", "nonsense")) {
            ApiError e = fails("VIF.create", session, Map.of("VM", seeded, "network", net, "device", "7", "MAC", bad));
            assertEquals("MAC_INVALID", e.code(), bad);
            assertEquals(List.of(bad), e.params());
        }
        ApiError dup = fails("VIF.create", session, Map.of("VM", vm, "network", net, "device", "3", "MAC", ""));
        assertEquals("DEVICE_ALREADY_EXISTS", dup.code());
        assertEquals(List.of("3"), dup.params());
        assertEquals("INVALID_DEVICE", fails("VIF.create", session, Map.of("VM", vm, "network", net, "device", "eth0", "MAC", "")).code());
        assertEquals("INVALID_DEVICE", fails("VIF.create", session, Map.of("VM", vm, "network", net, "device", "-1", "MAC", "")).code());
        assertEquals("HANDLE_INVALID", fails("VIF.create", session, Map.of("VM", vm, "device", "20", "MAC", "")).code());

        // VIF.destroy of an unattached VIF removes it and its metrics
        String metrics = (String) call("VIF.get_metrics", session, given);
        call("VIF.destroy", session, given);
        assertEquals("HANDLE_INVALID", fails("VIF.get_record", session, given).code());
        assertEquals("HANDLE_INVALID", fails("VIF_metrics.get_record", session, metrics).code());
        // network.destroy takes the remaining (unattached) VIFs with it
        call("network.destroy", session, net);
        assertEquals(List.of(), call("VM.get_VIFs", session, vm));
    }

    // ---- devices ----------------------------------------------------------------------------------

    @Test
    void attachMakesTheBridgeAndATapOnItAndDetachRemovesThem() throws IOException {
        String bridge = bridgeName();
        String net = network(bridge, 1400);
        long domid = domid();
        String vm = vm(domid, VmPowerState.Running, Map.of());
        String vif = vif(vm, net, "0", "");
        String mac = (String) call("VIF.get_MAC", session, vif);

        TapDevice tap = attach(vif, vm);
        assertEquals(new TapDevice("vif" + domid + ".0", mac), tap);
        assertTrue(Files.isDirectory(SYS.resolve(bridge).resolve("bridge")), "the bridge exists");
        assertEquals("1400", sys(bridge, "mtu"));
        assertEquals(bridge, master(tap.name()));
        assertEquals("1400", sys(tap.name(), "mtu"));
        assertEquals("fe:ff:ff:ff:ff:ff", sys(tap.name(), "address"));
        String details = ip("-d", "link", "show", "dev", tap.name());
        assertTrue(details.contains("tun type tap") && details.contains("bridge_slave") && details.contains("master " + bridge), details);
        assertTrue(ip("link", "show", "dev", bridge).contains(",UP"), "the bridge is up");
        assertEquals(true, call("VIF.get_currently_attached", session, vif));
        assertEquals(Map.of("tap", tap.name()), call("VIF.get_runtime_properties", session, vif));

        assertEquals(tap, attach(vif, vm), "attach is idempotent");
        assertEquals(List.of(tap.name()), LINKS.ports(bridge));

        ApiError busy = fails("network.destroy", session, net);
        assertEquals("NETWORK_CONTAINS_VIF", busy.code());
        assertEquals(List.of(vif), busy.params());
        ApiError attached = fails("VIF.destroy", session, vif);
        assertEquals("OPERATION_NOT_ALLOWED", attached.code());

        detach(vif);
        assertFalse(Files.exists(SYS.resolve(tap.name())), "the tap is gone");
        assertFalse(Files.exists(SYS.resolve(bridge)), "an internal network's empty bridge goes with its last tap");
        assertEquals(false, call("VIF.get_currently_attached", session, vif));
        assertEquals(Map.of(), call("VIF.get_runtime_properties", session, vif));
        detach(vif); // idempotent

        call("network.attach", session, net, node.hostRef());
        assertTrue(Files.isDirectory(SYS.resolve(bridge).resolve("bridge")), "network.attach makes the bridge");
        call("VIF.destroy", session, vif);
        call("network.destroy", session, net);
        assertFalse(Files.exists(SYS.resolve(bridge)), "network.destroy removes its empty bridge");
    }

    @Test
    void tapsAreRootsAndVmsWithoutDomidGetHostUniqueNames() throws IOException {
        String net = network(bridgeName(), 1500);
        String a = vm(-1, VmPowerState.Running, Map.of());
        String b = vm(0, VmPowerState.Running, Map.of());
        String va = vif(a, net, "0", "");
        String va1 = vif(a, net, "1", "");
        String vb = vif(b, net, "0", "");
        var ta = attach(va, a);
        devices.add(ta.name());
        var ta1 = attach(va1, a);
        devices.add(ta1.name());
        var tb = attach(vb, b);
        devices.add(tb.name());
        assertTrue(ta.name().matches("vif[0-9]+\\.0"), ta.name());
        assertEquals(ta.name().replace(".0", ".1"), ta1.name(), "one number per VM");
        assertNotEquals(ta.name().replace(".0", ""), tb.name().replace(".0", ""));
        // the daemon opens taps for QEMU: none is given to another user
        assertEquals("-1", sys(ta.name(), "owner"), "root only");
        assertEquals("-1", sys(tb.name(), "owner"), "root only");
        assertEquals("BRIDGE_NOT_AVAILABLE", assertThrows(ApiError.class,
                () -> LINKS.ensureBridge(ta.name(), 1500)).code(), "a name taken by a non-bridge");
        ApiError noBridge = assertThrows(ApiError.class, () -> LINKS.ensureTap("vif1.99", "flbrnone", 1500));
        assertEquals("INTERNAL_ERROR", noBridge.code());
        assertTrue(noBridge.params().getFirst().contains("flbrnone"), noBridge.params().getFirst());
        LINKS.delete("vif1.99");
        for (String v : List.of(va, va1, vb)) detach(v);
        for (var t : List.of(ta, ta1, tb)) assertFalse(Files.exists(SYS.resolve(t.name())));
    }

    @Test
    void aRestartBringsBackTheBridgesOfRunningVms() throws Exception {
        // a real VM: the VM runtime takes the host as the ground truth, so a VM recorded Running without a
        // QEMU would be halted (and its taps removed) at the restart
        TestGuest.ensureBuilt();
        String bridge = bridgeName();
        String net = network(bridge, 1500);
        String vm = vm(-1, VmPowerState.Halted, Map.of());
        Ref<VM> v = VM.CLASS.ref(vm);
        node.db().write(tx -> {
            for (var f : List.of(VM.memory_static_max, VM.memory_static_min, VM.memory_dynamic_max, VM.memory_dynamic_min, VM.memory_target)) {
                tx.set(v, f, 128L << 20);
            }
            tx.set(v, VM.VCPUs_max, 1L);
            tx.set(v, VM.VCPUs_at_startup, 1L);
            tx.set(v, VM.PV_kernel, TestGuest.VMLINUX.toString());
            tx.set(v, VM.PV_ramdisk, TestGuest.INITRD.toString());
            tx.set(v, VM.PV_args, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
        });
        String vif = vif(vm, net, "0", "");
        var pids = new ArrayList<Long>();
        cleanup.add(() -> pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly)));
        call("VM.start", session, vm, false, false);
        pids.addAll(node.vmRuntime().pids().values());
        String tap = ((Map<?, ?>) record("VIF", vif).get("runtime_properties")).get(Taps.TAP_KEY).toString();
        devices.add(tap);
        assertEquals(bridge, master(tap));
        ip("link", "del", "dev", bridge); // as if the host had lost it; the tap (held by QEMU) survives
        assertEquals("", master(tap));

        node.close(); // the daemon stops, the VM runs on
        boot();
        assertEquals("Running", call("VM.get_power_state", session, vm));
        assertTrue(Files.isDirectory(SYS.resolve(bridge).resolve("bridge")), "the bridge is back");
        assertEquals(bridge, master(tap), "and the surviving tap is on it again");

        // a VM whose QEMU went away while the daemon was down is halted at start, its leftover tap cleaned up
        node.close();
        for (long p : pids) ProcessHandle.of(p).ifPresent(h -> { h.destroyForcibly(); h.onExit().join(); });
        boot();
        assertEquals("Halted", call("VM.get_power_state", session, vm));
        assertFalse(Files.exists(SYS.resolve(tap)));
        assertEquals(false, call("VIF.get_currently_attached", session, vif));
    }

    @Test
    void twoGuestsOnOneNetworkReachEachOther() throws Exception {
        TestGuest.ensureBuilt();
        String net = network(bridgeName(), 1500);
        long d1 = domid();
        long d2 = domid();
        String vm1 = vm(d1, VmPowerState.Running, Map.of());
        String vm2 = vm(d2, VmPowerState.Running, Map.of());
        String vif1 = vif(vm1, net, "0", "");
        String vif2 = vif(vm2, net, "0", "");
        var t1 = attach(vif1, vm1);
        var t2 = attach(vif2, vm2);

        QemuProcess a = qemu(netArgv(t1.name(), t1.mac(), "flotilla.ip=10.231.0.1/24"));
        a.awaitSerial("FLOTILLA-GUEST net eth0 10.231.0.1/24 mac " + t1.mac(), Duration.ofSeconds(30 * LOADED));
        QemuProcess b = qemu(netArgv(t2.name(), t2.mac(), "flotilla.ip=10.231.0.2/24 flotilla.ping=10.231.0.1"));
        String result = b.awaitSerial("FLOTILLA-GUEST ping 10\\.231\\.0\\.1 ", Duration.ofSeconds(30 * LOADED));
        assertEquals("FLOTILLA-GUEST ping 10.231.0.1 ok", result);

        a.close();
        b.close();
        detach(vif1);
        detach(vif2);
        assertFalse(Files.exists(SYS.resolve(t1.name())));
        assertFalse(Files.exists(SYS.resolve(t2.name())));
    }

    private QemuProcess qemu(List<String> argv) throws IOException { return qemus.start(argv); }

    /** The test guest in net mode with its NIC on the tap device {@code tap} and the given MAC. */
    private static List<String> netArgv(String tap, String mac, String append) throws IOException, InterruptedException {
        List<String> a = TestGuest.kernelBootArgv("net", append);
        a.addAll(List.of("-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=n0,mac=" + mac));
        return a;
    }

}

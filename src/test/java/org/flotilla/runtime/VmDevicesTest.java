package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.flotilla.Slow;
import org.flotilla.daemon.Daemon;
import org.flotilla.runtime.devices.BlockNodes;
import org.flotilla.server.ApiServerConfig;
import org.flotilla.model.xenapi.VDI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Disks plugged into and out of a running VM, CD media, online resize, and the serial console over HTTPS. */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmDevicesTest extends OnAVmHost {
    long sizeSeenByQemu(String vm, String device) throws Exception {
        for (JsonNode b : h.qmp(vm).execute("query-block")) {
            if (BlockNodes.isDevice(b.path("qdev").asText(), device)) {
                return b.path("inserted").path("image").path("virtual-size").asLong(-1);
            }
        }
        return -1;
    }

    boolean hasMedium(String vm, String device) throws Exception {
        for (JsonNode b : h.qmp(vm).execute("query-block")) {
            if (BlockNodes.isDevice(b.path("qdev").asText(), device)) return b.has("inserted");
        }
        throw new AssertionError("no block device " + device);
    }

    @Test
    void hotPlugMediaAndOnlineResize() throws Exception {
        String vm = h.newVm("devices", "idle", 128, f -> {
            f.put("memory_static_min", 64L << 20);
            f.put("memory_dynamic_max", 96L << 20);
            f.put("memory_dynamic_min", 96L << 20);
            f.put("memory_target", 96L << 20);
        });
        String root = h.newVdi("root", 16);
        h.newVbd(vm, root, "0", "Disk");
        String cd = h.newVbd(vm, null, "3", "CD");
        String iso = h.newVdi("media", 4);
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
        assertEquals(true, h.node.db().get("VBD", cd).get("currently_attached"));
        assertEquals("xvdd", h.node.db().get("VBD", cd).get("device"), "a plugged VBD's device is its Linux name, as XAPI's");
        // the balloon takes the guest down to its target; the metrics follow
        String metrics = (String) h.vm(vm).get("metrics");
        VmHost.await(() -> Long.valueOf(96L << 20).equals(h.node.db().get("VM_metrics", metrics).get("memory_actual")),
                Duration.ofSeconds(15 * LOADED), "memory_actual to reach the 96 MiB target");
        // a new dynamic range on the running VM: it is given the top of it, and the balloon lets the guest have it
        h.call("VM.set_memory_dynamic_range", vm, 80L << 20, 112L << 20);
        assertEquals(112L << 20, h.vm(vm).get("memory_target"));
        VmHost.await(() -> {
            try { return h.qmp(vm).execute("query-balloon").path("actual").asLong() == 112L << 20; }
            catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
        }, Duration.ofSeconds(15 * LOADED), "the balloon to give the guest 112 MiB");
        var hm = h.node.db().get("host_metrics", (String) h.node.db().get("host", h.node.hostRef()).get("metrics"));
        assertTrue((Long) hm.get("memory_free") > 0 && (Long) hm.get("memory_free") < (Long) hm.get("memory_total"));

        // CD media
        assertEquals(List.of("VBD_IS_EMPTY", cd), h.fails("VBD.eject", cd).description());
        h.call("VBD.insert", cd, iso);
        assertTrue(hasMedium(vm, "vbd3"));
        assertEquals(List.of(h.node.storage().attachment(VDI.CLASS.ref(iso)).image()), h.fdsetFiles(vm).get("vbd3"), "QEMU got the medium as a descriptor");
        assertEquals(iso, h.node.db().get("VBD", cd).get("VDI"));
        assertEquals(List.of("VBD_NOT_EMPTY", cd), h.fails("VBD.insert", cd, iso).description());
        h.call("VBD.eject", cd);
        assertEquals(false, hasMedium(vm, "vbd3"));
        assertFalse(h.fdsetFiles(vm).containsKey("vbd3"), "no descriptor of the ejected medium stays in QEMU");
        assertEquals(true, h.node.db().get("VBD", cd).get("empty"));

        // a disk plugged in and out of the running VM
        String data = h.newVdi("data", 8);
        String vbd = h.newVbd(vm, data, "1", "Disk");
        assertEquals(List.of("VBD_NOT_REMOVABLE_MEDIA", vbd), h.fails("VBD.eject", vbd).description());
        h.call("VBD.plug", vbd);
        assertEquals(true, h.node.db().get("VBD", vbd).get("currently_attached"));
        assertEquals("xvdb", h.node.db().get("VBD", vbd).get("device"));
        assertEquals(List.of("unplug", "unplug_force"), h.node.db().get("VBD", vbd).get("allowed_operations"));
        assertEquals(8L << 20, sizeSeenByQemu(vm, "vbd1"));
        assertEquals(List.of("DEVICE_ALREADY_ATTACHED", vbd), h.fails("VBD.plug", vbd).description());

        // VDI.resize of an attached disk goes through QMP block_resize
        h.call("VDI.resize", data, 12L << 20);
        assertEquals(12L << 20, sizeSeenByQemu(vm, "vbd1"));
        assertEquals(12L << 20, h.node.db().get("VDI", data).get("virtual_size"));

        long t0 = System.nanoTime();
        h.call("VBD.unplug", vbd);
        System.out.printf("VBD.unplug: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(false, h.node.db().get("VBD", vbd).get("currently_attached"));
        assertEquals(List.of("plug", "attach"), h.node.db().get("VBD", vbd).get("allowed_operations"));
        assertEquals(-1L, sizeSeenByQemu(vm, "vbd1"));
        assertFalse(h.fdsetFiles(vm).containsKey("vbd1"), "no descriptor of the unplugged disk stays in QEMU");
        assertEquals(List.of("DEVICE_ALREADY_DETACHED", vbd), h.fails("VBD.unplug", vbd).description());

        assertEquals(List.of("insert", "unplug", "unplug_force"), h.node.db().get("VBD", cd).get("allowed_operations"));
        h.call("VM.hard_shutdown", vm);
        assertEquals(false, h.node.db().get("VBD", cd).get("currently_attached"));
        assertEquals(List.of("insert", "attach"), h.node.db().get("VBD", cd).get("allowed_operations"));
    }

    @Test
    void snapshotOfARunningVmsDisk() throws Exception {
        String vm = h.newVm("snap", "counter");
        String vdi = h.newVdi("counted", 16);
        h.newVbd(vm, vdi, "0", "Disk");
        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "COUNT 5", 1, Duration.ofSeconds(30 * LOADED));
        String snap = (String) h.call("VDI.snapshot", vdi, java.util.Map.of());
        assertTrue(h.node.db().get("VDI", snap) != null);
        // the new overlay reached QEMU as a descriptor, under the VDI's own name once renamed into place
        assertTrue(h.fdsetFiles(vm).get("vbd0").contains(h.node.storage().attachment(VDI.CLASS.ref(vdi)).image()), h.fdsetFiles(vm).toString());
        long atSnapshot = VmHost.lastCount(h.serial(vm));
        // the guest goes on writing, now into the VDI's new overlay
        h.awaitSerial(vm, "COUNT " + (atSnapshot + 10), 1, Duration.ofSeconds(20 * LOADED));
        long before = VmHost.lastCount(h.serial(vm));
        h.call("VM.hard_shutdown", vm);
        // booted again from the VDI, the counter resumes from what the guest wrote after the snapshot
        h.call("VM.start", vm, false, false);
        long resumed = h.firstCount(vm, Duration.ofSeconds(30 * LOADED));
        assertTrue(resumed >= atSnapshot + 10 && resumed <= before + 3, "resumed at " + resumed + ", before " + before);
        h.call("VM.hard_shutdown", vm);
    }

    @Test
    void vifsGetVirtioNicsOnTheirNetworksTap() throws Exception {
        String bridge = "flvm" + Long.toHexString(System.nanoTime() & 0xfffffL);
        try {
            String net = (String) h.call("network.create", java.util.Map.of("name_label", "vm test " + bridge,
                    "name_description", "", "MTU", "1500", "other_config", java.util.Map.of(), "bridge", bridge));
            String vm = h.newVm("nic", "net", 128, f -> f.put("PV_args", f.get("PV_args") + " flotilla.ip=10.232.0.1/24"));
            var args = new java.util.LinkedHashMap<String, Object>();
            args.put("VM", vm);
            args.put("network", net);
            args.put("device", "0");
            args.put("MAC", "");
            args.put("MTU", "0");
            args.put("other_config", java.util.Map.of());
            args.put("qos_algorithm_type", "");
            args.put("qos_algorithm_params", java.util.Map.of());
            String vif = (String) h.call("VIF.create", args);
            h.call("VM.start", vm, false, false);
            String mac = (String) h.node.db().get("VIF", vif).get("MAC");
            String tap = h.node.db().get("VIF", vif).<String, String>map("runtime_properties").get("tap");
            assertEquals("vif" + h.vm(vm).get("domid") + ".0", tap);
            // QEMU gets the tap as a descriptor the daemon opened: it has no access to /dev/net/tun
            assertTrue(java.nio.file.Files.readAllLines(h.runDir(vm).resolve("argv")).stream().anyMatch(l -> l.matches("tap,id=vif0,fd=\\d+")));
            h.awaitSerial(vm, "FLOTILLA-GUEST net eth0 10.232.0.1/24 mac " + mac, 1, Duration.ofSeconds(30 * LOADED));
            assertEquals(true, h.node.db().get("VIF", vif).get("currently_attached"));
            h.call("VM.hard_shutdown", vm);
            assertEquals(false, h.node.db().get("VIF", vif).get("currently_attached"));
            assertTrue(!java.nio.file.Files.exists(Path.of("/sys/class/net", tap)), "the tap is gone");
        } finally {
            if (java.nio.file.Files.exists(Path.of("/sys/class/net", bridge))) {
                new ProcessBuilder("ip", "link", "del", "dev", bridge).start().waitFor();
            }
        }
    }

    @Test
    void serialConsoleOverHttps() throws Exception {
        h.closeNode();
        try (Daemon d = Daemon.start(dir.resolve("daemon"), ApiServerConfig.loopbackEphemeral(), "secret", "127.0.0.1")) {
            var node = d.node();
            h.node = node;
            h.state = dir.resolve("daemon");
            h.session = (String) node.rpc().call("session.login_with_password", new java.util.ArrayList<>(List.of("root", "secret")));
            String vm = h.newVm("console", "idle");
            try {
                h.call("VM.start", vm, false, false);
                h.awaitSerial(vm, "FLOTILLA-GUEST up", 1, Duration.ofSeconds(30 * LOADED));
                String location = (String) node.db().where("console", c -> vm.equals(c.get("VM")) && "vt100".equals(c.get("protocol")))
                        .getFirst().get("location");
                String url = location.replace("https://127.0.0.1/", "https://127.0.0.1:" + d.httpsPort() + "/");
                HttpClient client = TrustingTls.httpClient();
                var denied = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, denied.statusCode());
                var ok = client.send(HttpRequest.newBuilder(URI.create(url + "&session_id=" + h.session)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode());
                assertTrue(ok.body().contains("FLOTILLA-GUEST up"), ok.body());
                var cookie = client.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", "session_id=" + h.session).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, cookie.statusCode());
                h.call("VM.hard_shutdown", vm);
                var gone = client.send(HttpRequest.newBuilder(URI.create(url + "&session_id=" + h.session)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, gone.statusCode());
            } finally {
                for (long pid : node.vmRuntime().pids().values()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                h.node = null;
            }
        }
    }
}

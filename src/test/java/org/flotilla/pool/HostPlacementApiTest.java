package org.flotilla.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.api.Rpc;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.daemon.Daemon;
import org.flotilla.model.ApiError;
import org.flotilla.server.ApiServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool- and host-level messages of a one-host pool over HTTPS, with halted VMs only: host.disable/enable and
 * what they do to VM.start and across restarts, evacuation with nothing running, placement's checks and errors,
 * and sessions local to the host.
 */
class HostPlacementApiTest {
    static final String PASSWORD = "placement-test";
    static final long MIB = 1 << 20;

    Path state;
    Daemon daemon;
    Rpc rpc;
    String session;
    String host;

    @BeforeEach
    void start() throws IOException {
        state = Files.createTempDirectory("flotilla-placement");
        open(PASSWORD);
    }

    @AfterEach
    void stop() throws IOException {
        if (daemon != null) daemon.close();
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Starts the daemon on the state directory (again): what a restart of the host's toolstack does. */
    void open(String password) {
        daemon = Daemon.start(state, ApiServerConfig.loopbackEphemeral(), password, "127.0.0.1");
        rpc = RemoteRpc.of("127.0.0.1", daemon.httpsPort(), true);
        session = (String) rpc.call("session.login_with_password", List.of("root", PASSWORD));
        host = (String) call("session.get_this_host", session);
    }

    void restart() {
        daemon.close();
        daemon = null;
        open(null);
    }

    Object call(String method, Object... params) { return callAs(session, method, params); }

    Object callAs(String s, String method, Object... params) {
        var args = new ArrayList<Object>();
        args.add(s);
        args.addAll(Arrays.asList(params));
        return rpc.call(method, args);
    }

    List<String> fails(String method, Object... params) {
        return assertThrows(ApiError.class, () -> call(method, params), method).description();
    }

    String vm(String name, long mem) {
        return (String) call("VM.create", Map.of("name_label", name, "memory_static_min", mem, "memory_dynamic_min", mem,
                "memory_dynamic_max", mem, "memory_static_max", Long.toString(mem), "VCPUs_max", "1", "VCPUs_at_startup", 1L,
                "HVM_boot_policy", "BIOS order", "HVM_boot_params", Map.of("order", "cd")));
    }

    boolean enabled() { return (Boolean) call("host.get_enabled", host); }

    @SuppressWarnings("unchecked")
    List<String> allowed() { return (List<String>) call("host.get_allowed_operations", host); }

    @Test
    void disabledHostTakesNoNewVmUntilEnabled() {
        String vm = vm("waits", 64 * MIB);
        assertTrue(enabled());
        assertTrue(allowed().containsAll(List.of("provision", "evacuate", "vm_start", "vm_resume", "vm_migrate", "enable")), allowed().toString());
        assertFalse(allowed().contains("reboot"), "reboot and shutdown wait for the host to be disabled");
        assertFalse(allowed().contains("power_on"), "a live host is not powered on");
        call("VM.assert_can_boot_here", vm, host);
        assertEquals(List.of(host), call("VM.get_possible_hosts", vm));

        call("host.disable", host);
        assertFalse(enabled());
        assertTrue(allowed().containsAll(List.of("reboot", "shutdown", "apply_updates")), allowed().toString());
        assertEquals(List.of("HOST_DISABLED", host), fails("VM.assert_can_boot_here", vm, host));
        assertEquals(List.of(), call("VM.get_possible_hosts", vm));
        // as XAPI: VM.start looks for a host and finds none; start_on names the host and hears why
        assertEquals(List.of("NO_HOSTS_AVAILABLE"), fails("VM.start", vm, false, false));
        assertEquals(List.of("HOST_DISABLED", host), fails("VM.start_on", vm, host, false, false));
        assertEquals("Halted", call("VM.get_power_state", vm));
        call("host.disable", host);

        call("host.enable", host);
        assertTrue(enabled());
        assertFalse(allowed().contains("reboot"));
        assertEquals(Map.of(), call("host.get_current_operations", host));
        call("VM.assert_can_boot_here", vm, host);
    }

    @Test
    void aRestartEnablesTheHostAgainUnlessDisabledWithoutAutoEnable() {
        call("host.disable", host);
        restart();
        assertTrue(enabled(), "auto_enable defaults to true");

        call("host.disable", host, false);
        restart();
        assertFalse(enabled(), "auto_enable false: disabled across restarts");
        assertTrue(allowed().contains("reboot"), "allowed_operations worked out at start: " + allowed());
        restart();
        assertFalse(enabled());
        call("host.enable", host);
        restart();
        assertTrue(enabled(), "host.enable forgets auto_enable false");
    }

    @Test
    void nothingRunningNothingPreventsEvacuation() {
        vm("halted", 64 * MIB);
        assertEquals(Map.of(), call("host.get_vms_which_prevent_evacuation", host));
        call("host.assert_can_evacuate", host);
        call("host.evacuate", host);
        String task = (String) call("Async.host.evacuate", host, "OpaqueRef:NULL", 2L);
        awaitTask(task);
        assertEquals("success", call("task.get_status", task));
        assertEquals(Map.of(), call("host.get_current_operations", host));
        assertTrue(enabled(), "evacuate does not disable the host");
    }

    @Test
    void placementNamesWhatTheHostLacks() throws Exception {
        // memory beyond the host's: assert_can_boot_here says how much; VM.start finds the host anyway and fails on memory
        String big = vm("too big", 64 * MIB);
        call("VM.set_memory_limits", big, 64 * MIB, Long.MAX_VALUE, 64 * MIB, 64 * MIB);
        List<String> e = fails("VM.assert_can_boot_here", big, host);
        assertEquals("HOST_NOT_ENOUGH_FREE_MEMORY", e.getFirst());
        assertEquals(Long.toString(Long.MAX_VALUE), e.get(1));
        assertTrue(Long.parseLong(e.get(2)) > 0);
        assertEquals(List.of(), call("VM.get_possible_hosts", big));
        assertEquals("HOST_NOT_ENOUGH_FREE_MEMORY", fails("VM.start", big, false, false).getFirst());

        // more vCPUs than the host has CPUs: no host at all
        String wide = vm("too wide", 64 * MIB);
        call("VM.set_VCPUs_max", wide, 100_000L);
        assertEquals("HOST_NOT_ENOUGH_PCPUS", fails("VM.assert_can_boot_here", wide, host).getFirst());
        assertEquals(List.of("NO_HOSTS_AVAILABLE"), fails("VM.start", wide, false, false));

        // a disk on an SR the host has unplugged
        String vm = vm("disk", 64 * MIB);
        String sr = (String) call("pool.get_default_SR", daemon.node().poolRef());
        String vdi = (String) call("VDI.create", Map.of("name_label", "d", "SR", sr, "virtual_size", 8 * MIB, "type", "user",
                "sharable", false, "read_only", false, "other_config", Map.of()));
        call("VBD.create", new LinkedHashMap<String, Object>(Map.of("VM", vm, "VDI", vdi, "userdevice", "0", "bootable", true,
                "mode", "RW", "type", "Disk")));
        call("VM.assert_can_boot_here", vm, host);
        String pbd = ((List<?>) call("SR.get_PBDs", sr)).getFirst().toString();
        call("PBD.unplug", pbd);
        try {
            assertEquals(List.of("VM_REQUIRES_SR", vm, sr), fails("VM.assert_can_boot_here", vm, host));
            assertEquals(List.of("NO_HOSTS_AVAILABLE"), fails("VM.start", vm, false, false));
        } finally {
            call("PBD.plug", pbd);
        }

        // agility: a disk on a local SR ties the VM to its host
        assertEquals(List.of("HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", sr), fails("VM.assert_agile", vm));
        String free = vm("nothing local", 64 * MIB);
        call("VM.assert_agile", free);
        // a NIC on a private network (no PIF on any host) too, while the host is enabled
        String net = (String) call("network.create", Map.of("name_label", "private", "name_description", "", "MTU", "1500",
                "other_config", Map.of(), "bridge", ""));
        var vif = new LinkedHashMap<String, Object>(Map.of("VM", free, "network", net, "device", "0", "MAC", "", "MTU", "0",
                "other_config", Map.of()));
        vif.putAll(Map.of("qos_algorithm_type", "", "qos_algorithm_params", Map.of()));
        call("VIF.create", vif);
        assertEquals(List.of("HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED", net), fails("VM.assert_agile", free));
        call("VM.assert_can_boot_here", free, host);
    }

    @Test
    void localSessionsLiveOnThisHostAlone() {
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"),
                assertThrows(ApiError.class, () -> rpc.call("session.slave_local_login_with_password", List.of("root", "wrong"))).description());
        String local = (String) rpc.call("session.slave_local_login_with_password", List.of("root", PASSWORD));
        assertEquals(List.of(host), callAs(local, "host.get_all"));
        callAs(local, "host.set_name_description", host, "set in a local session");
        assertEquals("set in a local session", call("host.get_name_description", host));
        // no record: not a session of the pool's database
        assertEquals("HANDLE_INVALID", assertThrows(ApiError.class, () -> callAs(local, "session.get_this_host", local)).code());
        assertTrue(daemon.node().db().where("session", s -> s.ref().equals(local)).isEmpty());
        // logout leaves a local session be, local_logout ends it; local_logout leaves a pool session be
        callAs(local, "session.logout");
        callAs(local, "host.get_all");
        callAs(local, "session.local_logout");
        assertEquals(List.of("SESSION_INVALID", local), assertThrows(ApiError.class, () -> callAs(local, "host.get_all")).description());
        call("session.local_logout");
        call("host.get_all");

        // with the pool's secret, kept readable by root alone
        assertEquals(List.of("SESSION_AUTHENTICATION_FAILED", "localhost", "Pool credentials invalid"),
                assertThrows(ApiError.class, () -> rpc.call("session.slave_local_login", List.of("guess"))).description());
        Path ptoken = state.resolve("ptoken");
        String secret;
        try {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ptoken)));
            secret = Files.readString(ptoken).strip();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String byToken = (String) rpc.call("session.slave_local_login", List.of(secret));
        callAs(byToken, "host.get_all");
        restart();
        assertEquals("SESSION_INVALID", assertThrows(ApiError.class, () -> callAs(byToken, "host.get_all")).code(), "gone with the daemon");
    }

    void awaitTask(String task) {
        for (int i = 0; i < 200 && "pending".equals(call("task.get_status", task)); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}

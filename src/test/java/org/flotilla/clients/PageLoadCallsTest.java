package org.flotilla.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.vm.EfiVariables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Xen Orchestra (xo-server, XO Lite, XO 6) reads when its pages load, as XAPI answers it: the hosts' clocks,
 * the subjects of sessions, the hardware and start times, CPUs, licence, Secure Boot readiness, and where consoles are.
 */
class PageLoadCallsTest {
    private static final Path OVMF = Path.of("/usr/share/OVMF");
    static TestDaemon daemon;
    static String host;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon();
        host = (String) ((List<?>) daemon.rpc("host.get_all")).getFirst();
    }

    @AfterAll
    static void stop() throws Exception { daemon.close(); }

    @Test
    void theHostsClockInUtcAndAsItsLocalTimeReadsIt() {
        Instant utc = (Instant) daemon.rpc("host.get_servertime", host);
        assertTrue(Duration.between(utc, Instant.now()).abs().toSeconds() < 5, utc.toString());
        LocalDateTime local = (LocalDateTime) daemon.rpc("host.get_server_localtime", host);
        assertTrue(Duration.between(local, LocalDateTime.now()).abs().toSeconds() < 5, local.toString());
    }

    @Test
    void onlyRootLogsInSoNoSessionHasASubject() {
        assertEquals(List.of(), daemon.rpc("session.get_all_subject_identifiers"));
    }

    @Test
    void hardwareStartTimesCpusAndWhatTheHostSaysItIs() {
        Map<?, ?> h = (Map<?, ?>) daemon.rpc("host.get_record", host);
        Map<?, ?> bios = (Map<?, ?>) h.get("bios_strings");
        for (String k : List.of("bios-vendor", "bios-version", "system-manufacturer", "system-product-name", "system-version",
                "system-serial-number", "baseboard-manufacturer", "baseboard-product-name", "hp-rombios")) {
            assertTrue(bios.containsKey(k), k + " in " + bios);
        }
        Map<?, ?> other = (Map<?, ?>) h.get("other_config");
        long booted = Long.parseLong(((String) other.get("boot_time")).replaceAll("\\.$", ""));
        long started = Long.parseLong(((String) other.get("agent_start_time")).replaceAll("\\.$", ""));
        long now = Instant.now().getEpochSecond();
        assertTrue(booted > 0 && booted <= started && started <= now, other.toString());

        Map<?, ?> cpu = (Map<?, ?>) h.get("cpu_info");
        for (String k : List.of("cpu_count", "socket_count", "threads_per_core", "nr_nodes", "vendor", "speed", "modelname", "family",
                "model", "stepping", "flags", "features_pv", "features_hvm", "features_hvm_host", "features_pv_host")) {
            assertTrue(cpu.containsKey(k), k + " in " + cpu);
        }
        assertEquals(Integer.toString(Runtime.getRuntime().availableProcessors()), cpu.get("cpu_count"));
        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        Map<?, ?> poolCpu = (Map<?, ?>) daemon.rpc("pool.get_cpu_info", pool);
        assertEquals(cpu.get("cpu_count"), poolCpu.get("cpu_count"), "the pool's CPUs are its one host's");
        assertEquals(cpu.get("socket_count"), poolCpu.get("socket_count"));

        Map<?, ?> version = (Map<?, ?>) h.get("software_version");
        assertEquals("XCP-ng", version.get("product_brand"), "the family Xen Orchestra takes its open-platform paths for");
        assertEquals("Flotilla", version.get("platform_name"));
        Map<?, ?> licence = (Map<?, ?>) h.get("license_params");
        assertFalse(licence.containsKey("sku_type"), "no SKU for Xen Orchestra to warn of: " + licence);
        assertEquals(Map.of("edition", "xcp-ng", "expiry", "never"), daemon.rpc("pool.get_license_state", pool));
    }

    @Test
    void secureBootReadinessByFirmwarePlatformAndTheKeysInTheVmsStore() throws IOException {
        Path ms = OVMF.resolve("OVMF_VARS_4M.ms.fd");
        Path plain = OVMF.resolve("OVMF_VARS_4M.fd");
        assumeTrue(Files.isRegularFile(ms) && Files.isRegularFile(plain), "Debian's ovmf package");
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("secure boot"));
        assertEquals("not_supported", readiness(vm), "a BIOS VM");
        daemon.rpc("VM.add_to_HVM_boot_params", vm, "firmware", "uefi");
        daemon.rpc("VM.add_to_platform", vm, "secureboot", "false");
        assertEquals("disabled", readiness(vm));
        daemon.rpc("VM.remove_from_platform", vm, "secureboot");
        daemon.rpc("VM.add_to_platform", vm, "secureboot", "true");
        assertEquals("first_boot", readiness(vm), "no store yet: it gets the pool's keys at its first boot");
        daemon.rpc("VM.set_NVRAM", vm, Map.of(EfiVariables.KEY, EfiVariables.encode(Files.readAllBytes(ms))));
        assertEquals("ready", readiness(vm));
        daemon.rpc("VM.set_NVRAM", vm, Map.of(EfiVariables.KEY, EfiVariables.encode(Files.readAllBytes(plain))));
        assertEquals("setup_mode", readiness(vm), "a store with no platform key");
        daemon.rpc("VM.remove_from_HVM_boot_params", vm, "firmware");
        daemon.rpc("VM.add_to_HVM_boot_params", vm, "firmware", "coreboot");
        var e = assertThrows(ApiError.class, () -> readiness(vm));
        assertEquals(List.of("INVALID_VALUE", "HVM-boot-params['firmware']", "coreboot"), e.description());

        String pool = (String) ((List<?>) daemon.rpc("pool.get_all")).getFirst();
        assertEquals("ready", String.valueOf(daemon.rpc("pool.get_guest_secureboot_readiness", pool)), "OVMF's store has the four keys");
    }

    @Test
    void consolesAreLocatedOnThePortTheApiIsServedOn() {
        String vm = (String) daemon.rpc("VM.get_by_uuid", daemon.installTestGuest("console location"));
        daemon.rpc("VM.start", vm, false, false);
        try {
            List<?> consoles = (List<?>) daemon.rpc("VM.get_consoles", vm);
            assertEquals(2, consoles.size());
            for (Object c : consoles) {
                String location = (String) daemon.rpc("console.get_location", c);
                assertTrue(location.startsWith("https://127.0.0.1:" + daemon.daemon.httpsPort() + "/console?uuid="), location);
            }
        } finally {
            daemon.rpc("VM.hard_shutdown", vm);
        }
    }

    private static String readiness(String vm) { return String.valueOf(daemon.rpc("VM.get_secureboot_readiness", vm)); }
}
